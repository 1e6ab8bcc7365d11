"""Input and output shapes for accounts; field limits live here, not on the tables."""

from typing import Annotated

from pydantic import BaseModel, StringConstraints

Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        max_length=254,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    ),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
TokenName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class Registration(BaseModel):
    email: Email
    name: Name
    password: Password


class SignIn(BaseModel):
    email: Annotated[
        str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=254)
    ]
    password: Password


class PasswordChange(BaseModel):
    current_password: Password
    new_password: Password


class ApiTokenCreate(BaseModel):
    name: TokenName


class UserPublic(BaseModel):
    id: int
    email: str
    name: str
    role: str
