// Starts Swagger UI on the API docs page; the schema URL comes from the page itself,
// so no inline script is needed under the Content Security Policy.
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: root.dataset.schemaUrl, domNode: root, deepLinking: true });
});
