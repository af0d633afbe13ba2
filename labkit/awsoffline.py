"""Run the course's AWS code offline: moto answers what it implements, a model-driven stub the rest.

`offline_aws()` is a context manager (also usable as a decorator, or with `start()`/`stop()` in a
notebook) under which ordinary `boto3.client(...)` code runs without an AWS account and without
the network:

1. botocore validates every request against the service model first. In
   `botocore.client.BaseClient._make_api_call` the parameters go through `_convert_to_request_dict`,
   whose serializer is wrapped in a `ParamValidationDecorator`; only then is the `before-call`
   event emitted. A wrong parameter name or type therefore raises botocore's `ParamValidationError`
   here exactly as it would against AWS.
2. Our `before-call` handler (the hook botocore's own `Stubber` uses) decides who answers:
   - **moto**, when moto implements the operation. The test is static and documented: moto's
     routing table (`moto.backend_index`) names the moto service for the request URL, and the
     operation counts as implemented when that service's response class (`moto.<service>.responses`)
     or its backend class has a method named after the snake_case operation (`CreateTrainingJob` ->
     `create_training_job`). moto's own dispatcher looks methods up by the same name. Checking the
     backend too covers services such as S3, whose REST dispatcher routes by HTTP method and query
     string instead of by method name. The handler then returns nothing and moto's `before-send`
     handler answers with its in-memory AWS.
   - **the stub** otherwise: a response built from the operation's output shape (required members
     only, placeholder values by type, enums take their first allowed value), validated against the
     output shape with botocore's `validate_parameters`, as `Stubber.add_response` does.
   `STUBBED_OPERATIONS` forces the stub for an operation moto routes but answers wrongly; if moto
   raises `NotImplementedError` anyway (its dispatcher's "not implemented" path), an
   `after-call-error` handler turns it into an `OfflineAWSError` that says what to do.
3. Nothing reaches the network. A request to a URL moto does not claim (a custom `endpoint_url`)
   is answered by the stub, and a last `before-send` handler refuses any request that would still
   leave for such a URL. Inside the context the credentials are fake (environment variables,
   restored afterwards) and shared config files, profiles, Region and endpoint overrides are
   hidden, so a developer's own AWS setup cannot leak in: examples must name their Region.

Every call is recorded (service, operation, answered by "moto", "stub" or "aws") in `calls`.

Set the environment variable `MLA_COURSE_AWS=live` to run the same code against your AWS account:
then `offline_aws()` mocks nothing and only records the calls (answered by "aws").

Live code must also cope with AWS's eventual consistency: `call_with_backoff` retries a call with a
bounded, doubling wait while `role_not_yet_assumable` recognises SageMaker's refusal of an
execution role that IAM has not propagated yet (Lab 13 shows both).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import functools
import importlib
import inspect
import io
import os
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.exceptions
import botocore.model
import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ParamValidationError
from botocore.handlers import BUILTIN_HANDLERS, REGISTER_LAST
from botocore.response import StreamingBody
from botocore.validate import ParamValidator, validate_parameters

LIVE_ENV = "MLA_COURSE_AWS"
MODES = {"offline": "offline", "": "offline", "live": "live"}
ACCOUNT_ID = "123456789012"  # moto's default account; the stub uses it too
PLACEHOLDER = "mla-course-example"
PLACEHOLDER_TIME = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
# Operations moto routes but that the stub answers instead. moto 5.2.5 applies a bucket policy's Deny
# statements to PutObject without evaluating their Condition keys, so a policy that denies uploads not
# encrypted with SSE-KMS would deny every upload; the stub accepts (and validates) PutBucketPolicy.
# moto 5.2.5's events backend defines test_event_pattern but answers with an empty body (no Result).
STUBBED_OPERATIONS: set[tuple[str, str]] = {("s3", "PutBucketPolicy"), ("events", "TestEventPattern")}

FAKE_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "mla-course-offline-key",
    "AWS_SECRET_ACCESS_KEY": "mla-course-offline-secret",
    "AWS_SESSION_TOKEN": "mla-course-offline-token",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}
# Hidden inside the context: they would pick another account, Region or endpoint.
HIDDEN_ENVIRONMENT_PREFIXES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION",
                               "AWS_REGION", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_")


class OfflineAWSError(RuntimeError):
    """A call under offline_aws() could not be answered offline, or the mode is misconfigured."""


@dataclass(frozen=True)
class AwsCall:
    """One API call made under offline_aws(): who answered it and with which parameters."""

    service: str
    operation: str
    answered_by: str  # "moto", "stub" or "aws"
    region: str | None
    params: dict = field(default_factory=dict, compare=False, repr=False)


# --- who answers ---------------------------------------------------------------------------------


def snake_case(operation: str) -> str:
    """`CreateTrainingJob` -> `create_training_job` (botocore's own conversion)."""
    return botocore.xform_name(operation)


@functools.lru_cache(maxsize=4096)
def _moto_service_for_url(url: str) -> str | None:
    import moto.backend_index as backend_index

    clean = url.split("?", 1)[0]
    for name, pattern in backend_index.backend_url_patterns:
        if pattern.match(clean):
            return name
    return None


@functools.cache
def _moto_method_names(moto_service: str) -> frozenset[str]:
    from moto import backends
    from moto.core.responses import BaseResponse

    names: set[str] = set()
    try:
        module = importlib.import_module(f"moto.{moto_service}.responses")
    except ImportError:
        return frozenset()
    for value in vars(module).values():
        if inspect.isclass(value) and issubclass(value, BaseResponse) and value.__module__ == module.__name__:
            names.update(n for n in dir(value) if not n.startswith("_"))
    try:
        backend_class = getattr(backends.get_backend(moto_service), "backend", None)
    except Exception:  # noqa: BLE001 - an unknown service simply has no backend
        backend_class = None
    if backend_class is not None:
        names.update(n for n in dir(backend_class) if not n.startswith("_"))
    return frozenset(names)


def moto_implements(service: str, operation: str, url: str) -> bool:
    """Whether moto answers `operation` of `service` for a request sent to `url`."""
    if (service, operation) in STUBBED_OPERATIONS:
        return False
    moto_service = _moto_service_for_url(url)
    return moto_service is not None and snake_case(operation) in _moto_method_names(moto_service)


# --- the stub's responses ------------------------------------------------------------------------


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def _arn(service_model: botocore.model.ServiceModel, member: str, region: str, request: dict) -> str:
    base = re.sub(r"Arns?$", "", member)
    name = request.get(f"{base}Name")  # DescribeEndpoint's EndpointArn names the endpoint asked for
    namespace = service_model.signing_name or service_model.endpoint_prefix
    resource_id = name if isinstance(name, str) else PLACEHOLDER
    return f"arn:aws:{namespace}:{region}:{ACCOUNT_ID}:{_kebab(base) or 'resource'}/{resource_id}"


def _fit_length(text: str, shape: botocore.model.Shape) -> str:
    low, high = shape.metadata.get("min", 0), shape.metadata.get("max")
    if len(text) < low:
        text = (text + "-" + "x" * low)[:max(low, len(text))]
    return text[:high] if high else text


def _placeholder(shape: botocore.model.Shape, member: str, service_model, region: str, depth: int,
                 request: dict) -> Any:
    if depth > 20:
        raise OfflineAWSError(f"the output shape nests more than 20 levels at {member!r}; stub it by hand")
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return {}
        names = list(shape.members)[:1] if shape.is_tagged_union else shape.required_members
        return {name: _placeholder(shape.members[name], name, service_model, region, depth + 1, request)
                for name in names}
    if kind == "list":
        # One element, or none deep inside a recursive shape (a form whose items hold items...).
        count = max(1 if depth < 10 else 0, shape.metadata.get("min", 0))
        return [_placeholder(shape.member, member, service_model, region, depth + 1, request) for _ in range(count)]
    if kind == "map":
        key = _placeholder(shape.key, "Key", service_model, region, depth + 1, request)
        return {key: _placeholder(shape.value, member, service_model, region, depth + 1, request)}
    if kind == "string":
        if shape.enum:
            return shape.enum[0]
        if isinstance(request.get(member), str):  # echo what the caller asked about (a name, an ID)
            return request[member]
        if member.endswith(("Arn", "Arns")) or shape.name.endswith("Arn"):
            return _fit_length(_arn(service_model, member, region, request), shape)
        return _fit_length(PLACEHOLDER, shape)
    if kind in ("integer", "long"):
        return int(shape.metadata.get("min", 1))
    if kind in ("float", "double"):
        return float(shape.metadata.get("min", 1.0))
    if kind == "boolean":
        return False
    if kind == "timestamp":
        return PLACEHOLDER_TIME
    if kind == "blob":
        payload = PLACEHOLDER.encode()
        if shape.serialization.get("streaming") or shape.metadata.get("streaming"):
            return StreamingBody(io.BytesIO(payload), len(payload))
        return payload
    raise OfflineAWSError(f"no placeholder for shape type {kind!r} ({shape.name})")


def placeholder_response(operation_model: botocore.model.OperationModel, region: str = "us-east-1",
                         request: dict | None = None) -> dict:
    """A response for `operation_model` built from its output shape and validated against it.

    Required members are filled by type: strings "mla-course-example" (ARNs shaped
    arn:aws:<service>:<region>:123456789012:<resource>/mla-course-example), the first allowed value of
    an enum, 2025-01-01 for timestamps, 1 (or the shape's minimum) for numbers, one element for lists.
    A string member that the `request` also holds (such as `EndpointName`) echoes the request's value,
    and an ARN names the resource the request named (`EndpointArn` uses `EndpointName`).
    """
    request = request or {}
    shape = operation_model.output_shape
    if shape is None:
        return {}
    response = _placeholder(shape, shape.name, operation_model.service_model, region, 0, request)
    # Validated like Stubber.add_response does before it queues a response.
    validate_parameters(response, shape)
    return response


# --- the session: hooks, state, records ----------------------------------------------------------

_ACTIVE: list[OfflineAWS] = []
_PARAMS_KEY = "mla_course_api_params"


def _stash_params(params, context, **kwargs):
    """before-parameter-build: keep a copy of the caller's parameters for the call record."""
    if _ACTIVE and context is not None:
        context[_PARAMS_KEY] = copy.copy(params)


def _answer(model, params, context, **kwargs):
    """before-call: runs after botocore validated the parameters; returns a response or None."""
    if not _ACTIVE:
        return None
    service = model.service_model.service_name
    region = context.get("client_region")
    api_params = context.get(_PARAMS_KEY, {})
    if _ACTIVE[0].live:
        _record(AwsCall(service, model.name, "aws", region, api_params))
        return None
    if moto_implements(service, model.name, params["url"]):
        _record(AwsCall(service, model.name, "moto", region, api_params))
        return None
    parsed = placeholder_response(model, region or "us-east-1", api_params)
    parsed["ResponseMetadata"] = {"RequestId": "mla-course-offline-stub", "HTTPStatusCode": 200,
                                  "HTTPHeaders": {}, "RetryAttempts": 0}
    _record(AwsCall(service, model.name, "stub", region, api_params))
    return AWSResponse(None, 200, {}, None), parsed


def _moto_answers_url(url: str) -> bool:
    """moto's own test (BotocoreStubber.process_request): a known service URL, or any amazonaws.com URL."""
    clean = url.split("?", 1)[0]
    return _moto_service_for_url(clean) is not None or re.match(r"https?://.+\.amazonaws\.com/", clean) is not None


def _refuse_network(request, **kwargs):
    """before-send, registered last: botocore calls every before-send handler, moto's included.

    A request whose URL moto does not claim would go to the network: refuse it.
    """
    if _ACTIVE and not _ACTIVE[0].live and not _moto_answers_url(request.url):
        raise OfflineAWSError(
            f"offline_aws() refused to send a request to {request.url}: neither moto nor the stub answers it. "
            f"Use a standard AWS endpoint (no endpoint_url), or set {LIVE_ENV}=live to call AWS."
        )
    return None


def _explain_moto_gap(exception, context=None, **kwargs):
    """after-call-error: moto routed the request but raised NotImplementedError; say what to do."""
    if _ACTIVE and not _ACTIVE[0].live and isinstance(exception, NotImplementedError):
        raise OfflineAWSError(
            f"moto routes this request but does not implement it ({exception}). Add the (service, operation) "
            "pair to labkit.awsoffline.STUBBED_OPERATIONS so that the stub answers it."
        ) from exception


def _record(call: AwsCall) -> None:
    for session in _ACTIVE:
        session.calls.append(call)


def aws_mode() -> str:
    """'offline' (default) or 'live', from the MLA_COURSE_AWS environment variable."""
    raw = os.environ.get(LIVE_ENV, "").strip().lower()
    if raw not in MODES:
        raise OfflineAWSError(f"{LIVE_ENV}={raw!r} is not understood: leave it unset (offline) or set it to 'live'")
    return MODES[raw]


class OfflineAWS(contextlib.ContextDecorator):
    """The state of one offline_aws() block; see the module docstring. Sessions may nest."""

    def __init__(self) -> None:
        self.calls: list[AwsCall] = []
        self.live = False
        self._saved_environment: dict[str, str | None] = {}
        self._handlers: list[tuple] = []
        self._moto = None
        self._default_session = None

    # context manager and notebook forms
    def __enter__(self) -> OfflineAWS:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> OfflineAWS:
        """Begin answering AWS calls offline (or, with MLA_COURSE_AWS=live, only recording them)."""
        self.live = aws_mode() == "live"
        outermost = not _ACTIVE
        _ACTIVE.append(self)
        if outermost:
            self._install()
        return self

    def stop(self) -> None:
        """Undo start(): restore credentials, the default boto3 session and botocore's handlers."""
        if self not in _ACTIVE:
            raise OfflineAWSError("stop() was called on an offline_aws() session that is not running")
        _ACTIVE.remove(self)
        if self._handlers:
            self._uninstall()

    def _install(self) -> None:
        self._handlers = [("before-parameter-build", _stash_params), ("before-call", _answer, REGISTER_LAST)]
        if not self.live:
            from moto import mock_aws

            self._handlers += [
                ("after-call-error", _explain_moto_gap),
                ("before-send", _refuse_network, REGISTER_LAST),
            ]
            self._set_environment()
        # New botocore sessions (including boto3's default one, re-created below) register these.
        BUILTIN_HANDLERS.extend(self._handlers)
        self._default_session = boto3.DEFAULT_SESSION
        boto3.DEFAULT_SESSION = None
        if not self.live:
            self._moto = mock_aws()
            self._moto.start()

    def _uninstall(self) -> None:
        if self._moto is not None:
            self._moto.stop()
            self._moto = None
        boto3.DEFAULT_SESSION = self._default_session
        for handler in self._handlers:
            BUILTIN_HANDLERS.remove(handler)
        self._handlers = []
        self._restore_environment()

    def _set_environment(self) -> None:
        hidden = [k for k in os.environ if k.startswith(HIDDEN_ENVIRONMENT_PREFIXES)]
        for key in [*FAKE_ENVIRONMENT, *hidden]:
            self._saved_environment[key] = os.environ.get(key)
        for key in hidden:
            del os.environ[key]
        os.environ.update(FAKE_ENVIRONMENT)

    def _restore_environment(self) -> None:
        for key, value in self._saved_environment.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_environment = {}

    # reports
    def counts(self) -> Counter:
        """Number of calls per answerer: Counter({'moto': n, 'stub': m})."""
        return Counter(call.answered_by for call in self.calls)

    def table(self) -> list[dict[str, str]]:
        """One row per distinct (service, operation): how often it was called and who answered."""
        rows: dict[tuple[str, str, str], int] = {}
        for call in self.calls:
            key = (call.service, call.operation, call.answered_by)
            rows[key] = rows.get(key, 0) + 1
        return [{"service": s, "operation": o, "answered by": a, "calls": n} for (s, o, a), n in rows.items()]


def offline_aws(func: Callable | None = None):
    """Run AWS code offline: `with offline_aws() as aws:`, `@offline_aws()` or `@offline_aws`.

    Under `MLA_COURSE_AWS=live` nothing is mocked and calls go to AWS (they are still recorded).
    """
    session = OfflineAWS()
    if func is not None:
        return session(func)
    return session


# --- JSON request bodies in the chapters ---------------------------------------------------------


@functools.cache
def _service_model(service: str) -> botocore.model.ServiceModel:
    try:
        return botocore.session.get_session().get_service_model(service)
    except botocore.exceptions.UnknownServiceError as error:
        raise ParamValidationError(report=f"botocore knows no service {service!r}") from error


def check_request(service: str, operation: str, body: dict, member: str | None = None,
                  fragment: bool = False) -> None:
    """Validate a request body (or part of one) against botocore's model of `service`'s `operation`.

    `member` validates `body` as the value of that top-level request member (e.g. the
    `HyperParameterTuningJobConfig` of `CreateHyperParameterTuningJob`). `fragment=True` validates a
    partial request: every key must be a member and valid, but the request's other required
    members may be missing. Raises botocore's ParamValidationError naming each problem.
    """
    service_model = _service_model(service)
    if operation not in service_model.operation_names:
        raise ParamValidationError(report=f"{service} has no operation {operation!r}")
    shape = service_model.operation_model(operation).input_shape
    if member is not None:
        if member not in shape.members:
            raise ParamValidationError(report=f"{operation} has no request member {member!r}")
        validate_parameters(body, shape.members[member])
        return
    if fragment:
        report = ParamValidator().validate(body, shape)
        problems = [line for line in report.generate_report().splitlines() if "Missing required" not in line]
        if any(problems):
            raise ParamValidationError(report="\n".join(problems))
        return
    validate_parameters(body, shape)


# --- live code: retry while a new role propagates (shown in Lab 13) ------------------------------


def call_with_backoff(call: Callable[[], Any], *, retry_if: Callable[[Exception], bool], attempts: int = 6,
                      first_wait: float = 2.0, sleep: Callable[[float], object] = time.sleep) -> Any:
    """Call `call()`; while it raises an error that `retry_if` accepts, wait and try again.

    The waits double from `first_wait` seconds, and the error of the last of `attempts` calls is
    raised, so the total wait is at most first_wait * (2 ** (attempts - 1) - 1) seconds. An error
    that `retry_if` rejects is raised at once. `sleep` is injectable so that tests need not wait.
    """
    for name, function in (("call", call), ("retry_if", retry_if), ("sleep", sleep)):
        if not callable(function):
            raise TypeError(f"{name} must be callable, got {type(function).__name__}.")
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
        raise ValueError(f"attempts must be a positive integer, got {attempts!r}.")
    if not first_wait >= 0:
        raise ValueError(f"first_wait must be zero or more seconds, got {first_wait!r}.")
    wait = first_wait
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except Exception as error:
            if attempt == attempts or not retry_if(error):
                raise
        sleep(wait)
        wait *= 2
    raise AssertionError("unreachable: the last attempt returns or raises")


def role_not_yet_assumable(error: Exception) -> bool:
    """True for SageMaker's refusal to assume an execution role, as while a new role propagates."""
    if not isinstance(error, botocore.exceptions.ClientError):
        return False
    details = error.response.get("Error", {})
    return details.get("Code") == "ValidationException" and "assume" in details.get("Message", "").lower()

