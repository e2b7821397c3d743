"""Satisfaction survey links: signed with the secret key, valid once, for a limited time."""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from lifeline.errors import LifelineError, NotFound

_SALT = "lifeline.tickets.csat"
LINK_MAX_AGE_SECONDS = 30 * 24 * 3600


class SurveyLinkInvalid(NotFound):
    code = "survey_link_invalid"
    message = "This survey link is not valid."


class SurveyLinkUsed(LifelineError):
    status_code = 410
    code = "survey_link_used"
    message = "This survey link has already been used; thank you for your rating."


class SurveyLinkExpired(LifelineError):
    status_code = 410
    code = "survey_link_expired"
    message = "This survey link has expired."


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def make_survey_token(secret_key: str, nonce: str) -> str:
    return _serializer(secret_key).dumps({"s": nonce})


def read_survey_token(secret_key: str, token: str, max_age: int = LINK_MAX_AGE_SECONDS) -> str:
    """The survey nonce inside a genuine, unexpired token."""
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise SurveyLinkExpired() from error
    except BadSignature as error:
        raise SurveyLinkInvalid() from error
    nonce = data.get("s") if isinstance(data, dict) else None
    if not isinstance(nonce, str):
        raise SurveyLinkInvalid()
    return nonce


def survey_link(public_base_url: str, token: str, lang: str) -> str:
    """The help-center page with the rating form (the API behind it is /api/v1/csat/)."""
    return f"{public_base_url.rstrip('/')}/help/{lang}/csat/{token}"
