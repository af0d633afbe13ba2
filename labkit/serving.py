"""A small HTTP inference server that follows SageMaker's container contracts, and a client for it.

Run it as its own process, the way SageMaker runs a container::

    python -m labkit.serving --model-dir /opt/ml/model --port 8080            # loopback only (default)
    python -m labkit.serving --model-dir /opt/ml/model --host 0.0.0.0 --port 8080   # inside a container

It answers the hosting contract (the two handlers, `ping` and `invocations`, are shown in Lab 08):

- ``GET /ping``: 200 once the model in ``--model-dir`` is loaded, 503 before (or if loading failed);
- ``POST /invocations``: predictions for a ``text/csv`` or ``application/json`` body, returned in
  the type the ``Accept`` header asks for (JSON when it asks for nothing in particular);

and, with ``--multi-model-dir``, the multi-model contract of a custom container, whose model
management SageMaker drives (https://docs.aws.amazon.com/sagemaker/latest/dg/mms-container-apis.html):

- ``POST /models`` with ``{"model_name": ..., "url": ...}`` loads a model: 409 if that name is
  loaded already, 507 when there is no room for another (``--max-models``), and SageMaker then
  unloads models it is not using;
- ``GET /models`` lists the loaded models, ``GET /models/<name>`` describes one (404 if not loaded);
- ``DELETE /models/<name>`` unloads one (404 if not loaded);
- ``POST /models/<name>/invoke`` predicts with one (404 if not loaded). The container never loads a
  model on its own: the platform loads it first. The ``X-Amzn-SageMaker-Target-Model`` header that
  SageMaker passes along is only logged.

``GET /stats`` (not part of any AWS contract) reports requests by status. Errors are short JSON
documents: 400 for a payload that cannot be parsed, 404, 405, 406 for an ``Accept`` it cannot
produce, 409, 411 without ``Content-Length``, 413 above the real-time payload limit (6 MB by
default), 415 for another ``Content-Type``, 507, and 500 or 503 with a request id and no stack trace
(the trace goes to the server's stderr, under that request id). The server binds to 127.0.0.1
unless ``--host`` names another address; a container must listen on 0.0.0.0 so that SageMaker can
reach it. SIGTERM stops it cleanly: it stops accepting connections, finishes the requests in flight
and exits with status 0.

A model directory holds ``model.joblib`` (a fitted scikit-learn estimator or pipeline) and
``schema.json`` (the input columns in order and which of them are numbers); `save_model` writes
both. `ServerProcess` starts and stops the server from Python, and `call` sends it one request.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import ipaddress
import json
import os
import re
import selectors
import signal
import subprocess
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from labkit.errors import MessageKeyError

LOOPBACK = "127.0.0.1"  # the default: the labs and tests never expose a port to other machines
ALL_INTERFACES = "0.0.0.0"  # what a container binds, so that SageMaker can reach it
DEFAULT_PORT = 8080  # the port SageMaker sends /ping and /invocations to
PORT_VARIABLE = "SAGEMAKER_BIND_TO_PORT"  # inference pipelines name another port in this variable
DEFAULT_MODEL_DIR = "/opt/ml/model"  # where SageMaker unpacks model.tar.gz
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024  # 6,291,456: InvokeEndpoint's Body limit for real-time endpoints
DEFAULT_MAX_MODELS = 3
MODEL_FILE = "model.joblib"
SCHEMA_FILE = "schema.json"
TARGET_MODEL_HEADER = "X-Amzn-SageMaker-Target-Model"  # passed to a multi-model container, for logging
CSV, JSON = "text/csv", "application/json"
INPUT_TYPES = (CSV, JSON)
MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")
DRAIN_CHUNK = 64 * 1024
DRAIN_FACTOR = 4  # read and discard an oversized body up to 4x the limit, so the client sees the 413


# ----------------------------------------------------------------------------------------------
# Errors


class ServingError(Exception):
    """Base class of this module's errors."""


class ModelArtifactError(ServingError, ValueError):
    """A model directory lacks a file, or a file does not hold what it should."""


class PayloadError(ServingError, ValueError):
    """A request body cannot be turned into rows of features (HTTP 400)."""


class NotAcceptableError(ServingError, ValueError):
    """The Accept header names no type the server can produce (HTTP 406)."""


class UnsupportedMediaTypeError(ServingError, ValueError):
    """The Content-Type is neither text/csv nor application/json (HTTP 415)."""


class UnknownModelError(ServingError, MessageKeyError):
    """No model of that name is loaded, or no model directory at that url (HTTP 404)."""


class ModelAlreadyLoadedError(ServingError, ValueError):
    """POST /models named a model that is loaded already (HTTP 409)."""


class InsufficientStorageError(ServingError, RuntimeError):
    """No room to load another model (HTTP 507): the platform must unload one first."""


class ServerStartError(ServingError, RuntimeError):
    """The server process did not start, or did not become healthy in time."""


# ----------------------------------------------------------------------------------------------
# Model artifacts


@dataclass(frozen=True)
class Schema:
    """The input a model expects: its columns in order, and which of them hold numbers."""

    columns: tuple[str, ...]
    numeric: frozenset[str]

    def to_json(self) -> str:
        numeric = [c for c in self.columns if c in self.numeric]
        return json.dumps({"columns": list(self.columns), "numeric": numeric}, indent=1)


def make_schema(columns: list[str], numeric_columns: list[str]) -> Schema:
    """Check and freeze a schema; raise ValueError naming the column at fault."""
    if not columns:
        raise ModelArtifactError("columns is empty: list the model's input columns in the order it expects them.")
    duplicates = sorted({c for c in columns if columns.count(c) > 1})
    if duplicates:
        raise ModelArtifactError(f"columns lists {duplicates} more than once; each input column appears once.")
    unknown = [c for c in numeric_columns if c not in columns]
    if unknown:
        raise ModelArtifactError(f"numeric_columns names {unknown}, which are not in columns; fix the spelling.")
    return Schema(tuple(str(c) for c in columns), frozenset(str(c) for c in numeric_columns))


def save_model(model: Any, directory: Path | str, columns: list[str], numeric_columns: list[str]) -> Path:
    """Write a fitted model and its input schema into `directory` (created if needed), as the server reads them.

    Parameters
    ----------
    model:
        A fitted scikit-learn estimator or pipeline that accepts a DataFrame with `columns`.
    columns:
        The input columns, in the order a CSV row lists them.
    numeric_columns:
        The columns that hold numbers; the others are passed to the model as strings.

    Raises
    ------
    TypeError
        `model` has neither ``predict_proba`` nor ``predict``.
    ModelArtifactError
        The columns are empty, repeated, or `numeric_columns` names a column not in `columns`.
    """
    import joblib

    if not (hasattr(model, "predict_proba") or hasattr(model, "predict")):
        raise TypeError(f"{type(model).__name__} has no predict_proba or predict method: save a fitted estimator.")
    schema = make_schema(list(columns), list(numeric_columns))
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, directory / MODEL_FILE)
    (directory / SCHEMA_FILE).write_text(schema.to_json() + "\n", encoding="utf-8")
    return directory


@dataclass
class LoadedModel:
    """A model in memory with the schema of its input."""

    name: str
    estimator: Any
    schema: Schema

    def predict(self, rows: Any) -> np.ndarray:
        """The positive class's probability for a classifier with predict_proba, else predict()."""
        if hasattr(self.estimator, "predict_proba"):
            return np.asarray(self.estimator.predict_proba(rows))[:, -1]
        return np.asarray(self.estimator.predict(rows))


def load_model(directory: Path | str, name: str = "default") -> LoadedModel:
    """Read a model directory written by `save_model`.

    Raises ModelArtifactError when a file is missing or the schema is not valid JSON. A damaged
    ``model.joblib`` raises whatever the unpickler raises: the server reports it as a 500.
    Only load artifacts you trust: unpickling runs code.
    """
    import joblib

    directory = Path(directory)
    for file_name in (MODEL_FILE, SCHEMA_FILE):
        if not (directory / file_name).is_file():
            raise ModelArtifactError(
                f"Model directory {directory.name!r} has no {file_name}; write it with labkit.serving.save_model."
            )
    try:
        raw = json.loads((directory / SCHEMA_FILE).read_text(encoding="utf-8"))
        schema = make_schema(list(raw["columns"]), list(raw.get("numeric", [])))
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ModelArtifactError(
            f"{SCHEMA_FILE} of {directory.name!r} is not valid ({exc}); rewrite it with save_model."
        ) from exc
    return LoadedModel(name=name, estimator=joblib.load(directory / MODEL_FILE), schema=schema)


# ----------------------------------------------------------------------------------------------
# Payloads and content negotiation


def media_type(header: str | None) -> str:
    """The bare media type of a Content-Type header, lowercased, without parameters such as charset."""
    return (header or "").split(";", 1)[0].strip().lower()


def choose_output_type(accept: str | None) -> str:
    """The response type for an Accept header: the first listed type the server produces.

    No header, an empty one, ``*/*`` or ``application/*`` give JSON; ``text/*`` gives CSV.
    Raises NotAcceptableError when no listed type can be produced.
    """
    if accept is None or not accept.strip():
        return JSON
    wildcards = {"*/*": JSON, "application/*": JSON, "text/*": CSV}
    for item in accept.split(","):
        kind = media_type(item)
        if kind in INPUT_TYPES:
            return kind
        if kind in wildcards:
            return wildcards[kind]
    raise NotAcceptableError(f"Accept {accept!r} names no type this server produces; ask for {CSV} or {JSON}.")


def check_content_type(header: str | None) -> str:
    """The input type of a Content-Type header; UnsupportedMediaTypeError unless it is CSV or JSON."""
    kind = media_type(header)
    if kind not in INPUT_TYPES:
        raise UnsupportedMediaTypeError(f"Content-Type {kind or 'missing'!r} is not supported; send {CSV} or {JSON}.")
    return kind


def _decode(body: bytes) -> str:
    if not body.strip():
        raise PayloadError("The request body is empty; send at least one row.")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PayloadError(f"The body is not UTF-8 text (byte {exc.start} is invalid).") from exc


def _cell(value: Any, column: str, row: int, schema: Schema) -> Any:
    """One value, converted to what the model expects; raise PayloadError naming the row and column."""
    if column in schema.numeric:
        if isinstance(value, bool) or value is None:
            raise PayloadError(f"Row {row}, column {column!r}: expected a number, got {value!r}.")
        if isinstance(value, int | float):
            number = float(value)
        else:
            text = str(value).strip()
            if not text:
                raise PayloadError(f"Row {row}, column {column!r}: the value is missing.")
            try:
                number = float(text)
            except ValueError:
                hint = " (send rows without a header line)" if row == 1 else ""
                raise PayloadError(f"Row {row}, column {column!r}: {text!r} is not a number{hint}.") from None
        if not np.isfinite(number):
            raise PayloadError(f"Row {row}, column {column!r}: {number} is not a finite number.")
        return number
    if not isinstance(value, str) or not value.strip():
        raise PayloadError(f"Row {row}, column {column!r}: expected a non-empty string, got {value!r}.")
    return value.strip()


def _frame(rows: list[list[Any]], schema: Schema):
    import pandas as pd

    table = {column: [] for column in schema.columns}
    for number, values in enumerate(rows, start=1):
        if len(values) != len(schema.columns):
            raise PayloadError(
                f"Row {number} has {len(values)} values; the model expects {len(schema.columns)} "
                f"({', '.join(schema.columns[:3])}, ...)."
            )
        for column, value in zip(schema.columns, values, strict=True):
            table[column].append(_cell(value, column, number, schema))
    return pd.DataFrame(table, columns=list(schema.columns))


def parse_csv(body: bytes, schema: Schema):
    """Rows of a headerless CSV body as a DataFrame with the schema's columns (blank lines are skipped)."""
    text = _decode(body)
    try:
        rows = [row for row in csv.reader(io.StringIO(text)) if row]
    except csv.Error as exc:
        raise PayloadError(f"The body is not valid CSV ({exc}).") from exc
    if not rows:
        raise PayloadError("The CSV body holds no rows.")
    return _frame(rows, schema)


def parse_json(body: bytes, schema: Schema):
    """Rows of a JSON body ``{"instances": [...]}``, each a list in column order or an object by column name."""
    try:
        document = json.loads(_decode(body))
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise PayloadError(f"The body is not valid JSON ({exc.msg} at {where}).") from None
    if not isinstance(document, dict) or not isinstance(document.get("instances"), list):
        raise PayloadError('Send a JSON object with a list under "instances", e.g. {"instances": [[...], ...]}.')
    instances = document["instances"]
    if not instances:
        raise PayloadError('"instances" is empty; send at least one row.')
    rows = []
    for number, instance in enumerate(instances, start=1):
        if isinstance(instance, dict):
            missing = [c for c in schema.columns if c not in instance]
            if missing:
                raise PayloadError(f"Instance {number} lacks column(s) {missing[:3]}.")
            rows.append([instance[c] for c in schema.columns])
        elif isinstance(instance, list):
            rows.append(instance)
        else:
            raise PayloadError(f"Instance {number} is a {type(instance).__name__}; send a list or an object.")
    return _frame(rows, schema)


def parse_payload(body: bytes, content_type: str, schema: Schema):
    """Dispatch on the media type; only text/csv and application/json are accepted."""
    return parse_csv(body, schema) if content_type == CSV else parse_json(body, schema)


def format_predictions(predictions: np.ndarray, output_type: str) -> bytes:
    """JSON ``{"predictions": [...]}`` or one value per CSV line, at full float precision."""
    values = [float(v) for v in np.asarray(predictions, dtype=float)]
    if output_type == CSV:
        return "".join(f"{v!r}\n" for v in values).encode()
    return json.dumps({"predictions": values}).encode()


# ----------------------------------------------------------------------------------------------
# The multi-model store (the model-management half of the multi-model container contract)


class ModelStore:
    """The models a multi-model container holds, by name, loaded and unloaded when the platform asks.

    `load` refuses a name that is loaded already (409) and a model beyond `capacity` (507): the
    container does not choose what to unload, SageMaker does. `url` must point inside `root`.
    """

    def __init__(self, root: Path | None, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1 model, got {capacity}")
        self.root = root.resolve() if root is not None else None
        self.capacity = capacity
        self._models: dict[str, tuple[LoadedModel, str]] = {}
        self._lock = threading.Lock()

    def _directory(self, name: str, url: str) -> Path:
        if not MODEL_NAME.fullmatch(name):
            raise PayloadError(f"Model name {name[:80]!r} is not valid: use letters, digits, '.', '_' or '-'.")
        if self.root is None:
            raise PayloadError("This server holds no multi-model directory; start it with --multi-model-dir.")
        directory = Path(url).resolve()
        if self.root not in (directory, *directory.parents):
            raise PayloadError(f"url {url[:200]!r} is outside the multi-model directory.")
        if not directory.is_dir():
            raise UnknownModelError(f"No model directory at url {url[:200]!r}.")
        return directory

    def load(self, name: str, url: str) -> LoadedModel:
        """Load the model at `url` under `name` (POST /models)."""
        directory = self._directory(name, url)
        with self._lock:  # one load at a time; a damaged artifact raises whatever the unpickler raises
            if name in self._models:
                raise ModelAlreadyLoadedError(f"Model {name!r} is already loaded.")
            if len(self._models) >= self.capacity:
                raise InsufficientStorageError(
                    f"No room for {name!r}: {len(self._models)} of {self.capacity} models are loaded. "
                    "Unload one (DELETE /models/<name>) and load again."
                )
            model = load_model(directory, name=name)
            self._models[name] = (model, url)
            return model

    def get(self, name: str) -> LoadedModel:
        """The loaded model `name` (GET /models/<name>, POST /models/<name>/invoke)."""
        with self._lock:
            if name not in self._models:
                raise UnknownModelError(f"Model {name[:80]!r} is not loaded; load it with POST /models.")
            return self._models[name][0]

    def unload(self, name: str) -> None:
        """Forget the model `name` so that its memory can be reclaimed (DELETE /models/<name>)."""
        with self._lock:
            if self._models.pop(name, None) is None:
                raise UnknownModelError(f"Model {name[:80]!r} is not loaded.")

    def describe(self, name: str) -> dict[str, str]:
        with self._lock:
            if name not in self._models:
                raise UnknownModelError(f"Model {name[:80]!r} is not loaded.")
            return {"modelName": name, "modelUrl": self._models[name][1]}

    def listing(self) -> list[dict[str, str]]:
        """The loaded models in load order, as the List Model API returns them."""
        with self._lock:
            return [{"modelName": name, "modelUrl": url} for name, (_, url) in self._models.items()]


# ----------------------------------------------------------------------------------------------
# The HTTP server


class HttpError(Exception):
    """An error answered with `status` and a JSON body holding `message`."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass
class App:
    """The server's state: the default model, the multi-model store and counters."""

    model_dir: Path
    models: ModelStore
    max_payload_bytes: int
    default_model: LoadedModel | None = None
    load_failed: bool = False
    status_counts: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def load_default(self) -> None:
        try:
            self.default_model = load_model(self.model_dir)
            log(f"model loaded from {self.model_dir.name!r}; /ping now answers 200")
        except Exception:  # noqa: BLE001 - any failure leaves /ping at 503, with the reason in the log
            self.load_failed = True
            log("the default model failed to load; /ping answers 503\n" + traceback.format_exc())

    def count(self, status: int) -> None:
        with self.lock:
            self.status_counts[status] = self.status_counts.get(status, 0) + 1

    def stats(self) -> dict[str, Any]:
        with self.lock:
            by_status = {str(k): v for k, v in sorted(self.status_counts.items())}
        return {
            "requests": sum(by_status.values()),
            "by_status": by_status,
            "models": {"capacity": self.models.capacity, "loaded": [m["modelName"] for m in self.models.listing()]},
        }


def log(message: str) -> None:
    """One line (or a traceback) on the server's stderr, with a timestamp."""
    sys.stderr.write(f"{time.strftime('%H:%M:%S')} {message}\n")
    sys.stderr.flush()


class Reply(NamedTuple):
    """An HTTP answer: status, body and Content-Type."""

    status: int
    body: bytes
    content_type: str


def ping(app: App) -> Reply:
    """GET /ping: 200 with an empty body once the model is in memory; 503 while it loads or if it failed."""
    if app.default_model is None:
        reason = "the model failed to load" if app.load_failed else "the model is still loading"
        return Reply(503, json.dumps({"error": reason}).encode(), JSON)
    return Reply(200, b"", "text/plain")


def invocations(model: LoadedModel, body: bytes, content_type: str | None, accept: str | None) -> Reply:
    """POST /invocations: read the rows in the body, predict, and answer in the type Accept asks for."""
    input_type = check_content_type(content_type)  # 415 for another Content-Type
    output_type = choose_output_type(accept)  # 406 if Accept names nothing this server produces
    rows = parse_payload(body, input_type, model.schema)  # 400 if the body is not rows of the schema
    return Reply(200, format_predictions(model.predict(rows), output_type), output_type)


ERROR_STATUS = (  # the exceptions the handlers raise, and the status each deserves
    (PayloadError, 400),
    (UnknownModelError, 404),
    (NotAcceptableError, 406),
    (ModelAlreadyLoadedError, 409),
    (UnsupportedMediaTypeError, 415),
    (InsufficientStorageError, 507),
)


class InferenceHandler(BaseHTTPRequestHandler):
    """Routes one request; every answer, error or not, is counted and logged with its request id."""

    server_version = "labkit-serving/0.2"
    protocol_version = "HTTP/1.0"  # one request per connection: nothing idles open when SIGTERM arrives
    timeout = 30  # seconds a client may take to send its request before the connection is dropped
    error_content_type = JSON
    error_message_format = '{"error": "the request line or headers could not be read", "status": %(code)d}'

    @property
    def app(self) -> App:
        return self.server.app  # type: ignore[attr-defined]

    def do_GET(self) -> None:  # noqa: N802 - the name http.server looks for
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._handle("DELETE")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        pass  # _handle writes one line per request instead, with its request id

    def _handle(self, method: str) -> None:
        request_id = uuid.uuid4().hex[:16]
        started = time.perf_counter()
        headers: dict[str, str] = {}
        try:
            status, body, content_type = self._route(method)
        except HttpError as exc:
            status, content_type, headers = exc.status, JSON, exc.headers
            body = json.dumps({"error": exc.message, "request_id": request_id}).encode()
        except Exception as exc:  # noqa: BLE001 - the client gets a short answer, the log gets the trace
            known = next((code for kind, code in ERROR_STATUS if isinstance(exc, kind)), None)
            if known is None:
                log(f"request {request_id} {method} {self.path} failed\n{traceback.format_exc().rstrip()}")
            status, content_type = known or 500, JSON
            message = (exc.args[0] if exc.args else str(exc)) if known else "internal server error"
            body = json.dumps({"error": message, "request_id": request_id}).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Request-Id", request_id)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.app.count(status)
        elapsed_ms = 1000 * (time.perf_counter() - started)
        target = self.headers.get(TARGET_MODEL_HEADER)
        logged = f" (TargetModel {target[:200]})" if target else ""
        log(f"request {request_id} {method} {self.path} {status} {elapsed_ms:.1f}ms{logged}")

    def _route(self, method: str) -> Reply:
        path = self.path.split("?", 1)[0]
        routes: dict[str, dict[str, Callable[[], Reply]]] = {
            "/ping": {"GET": lambda: ping(self.app)},
            "/invocations": {"POST": lambda: invocations(self._default_model(), self._read_body(),
                                                         self.headers.get("Content-Type"), self.headers.get("Accept"))},
            "/models": {"GET": lambda: self._json(200, {"models": self.app.models.listing()}),
                        "POST": self._load_model},
            "/stats": {"GET": lambda: self._json(200, self.app.stats())},
        }
        one = re.fullmatch(r"/models/([^/]+)", path)
        invoke = re.fullmatch(r"/models/([^/]+)/invoke", path)
        if one:
            name = one.group(1)
            routes[path] = {"GET": lambda: self._json(200, self.app.models.describe(name)),
                            "DELETE": lambda: self._unload_model(name)}
        if invoke:
            name = invoke.group(1)
            routes[path] = {"POST": lambda: self._invoke_named(name)}
        if path not in routes:
            raise HttpError(404, f"No route {path[:100]!r}: use /ping, /invocations or /models.")
        allowed = routes[path]
        if method not in allowed:
            raise HttpError(405, f"{path} accepts {', '.join(allowed)} only.", {"Allow": ", ".join(allowed)})
        return allowed[method]()

    def _json(self, status: int, document: Any) -> Reply:
        return Reply(status, json.dumps(document).encode(), JSON)

    def _default_model(self) -> LoadedModel:
        if self.app.default_model is None:
            raise HttpError(503, "the model is not loaded; wait until /ping answers 200")
        return self.app.default_model

    def _invoke_named(self, name: str) -> Reply:
        body = self._read_body()  # first, so that every answer reaches a client that is still sending
        return invocations(self.app.models.get(name), body, self.headers.get("Content-Type"),
                           self.headers.get("Accept"))

    def _load_model(self) -> Reply:
        try:
            document = json.loads(self._read_body() or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise PayloadError('Send {"model_name": ..., "url": ...} as JSON.') from None
        if not isinstance(document, dict) or not all(isinstance(document.get(k), str) for k in ("model_name", "url")):
            raise PayloadError('Send {"model_name": ..., "url": ...} as JSON, both strings.')
        self.app.models.load(document["model_name"], document["url"])
        log(f"model {document['model_name']!r} loaded")
        return self._json(200, self.app.models.describe(document["model_name"]))

    def _unload_model(self, name: str) -> Reply:
        self.app.models.unload(name)
        log(f"model {name!r} unloaded")
        return self._json(200, {"modelName": name, "unloaded": True})

    def _read_body(self) -> bytes:
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            raise HttpError(411, "Send a Content-Length header (chunked bodies are not accepted).")
        try:
            length = int(length_header)
        except ValueError:
            raise HttpError(400, f"Content-Length {length_header[:40]!r} is not a number.") from None
        if length < 0:
            raise HttpError(400, "Content-Length cannot be negative.")
        limit = self.app.max_payload_bytes
        if length > limit:
            if length <= DRAIN_FACTOR * limit:  # read it so the client gets our answer, not a reset
                remaining = length
                while remaining > 0:
                    chunk = self.rfile.read(min(DRAIN_CHUNK, remaining))
                    if not chunk:
                        break
                    remaining -= len(chunk)
            raise HttpError(413, f"The body has {length:,} bytes; the limit is {limit:,} bytes.")
        return self.rfile.read(length)


def build_server(app: App, port: int, host: str = LOOPBACK) -> ThreadingHTTPServer:
    """An HTTP server on `host`:`port` (0 picks a free port) that finishes its requests on close."""
    server = ThreadingHTTPServer((host, port), InferenceHandler)
    server.daemon_threads = False  # server_close() then waits for the requests in flight
    server.app = app  # type: ignore[attr-defined]
    return server


def serve(
    model_dir: Path,
    *,
    multi_model_dir: Path | None,
    port: int,
    max_models: int,
    max_payload_bytes: int,
    host: str = LOOPBACK,
) -> int:
    """Run until SIGTERM or SIGINT, then shut down cleanly and return 0."""
    app = App(model_dir, ModelStore(multi_model_dir, max_models), max_payload_bytes)
    server = build_server(app, port, host)
    stop = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda number, frame: stop.set())
    bound_host, bound_port = server.server_address[:2]
    # The one line on stdout: the parent reads the port from it (port 0 lets the OS choose one).
    print(json.dumps({"event": "listening", "host": bound_host, "port": bound_port}), flush=True)
    log(f"listening on {bound_host}:{bound_port}")
    threading.Thread(target=app.load_default, name="load-model", daemon=True).start()
    loop = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="serve")
    loop.start()
    while not stop.wait(0.2):
        pass
    log("SIGTERM received: no new connections; finishing the requests in flight")
    server.shutdown()
    loop.join()
    server.server_close()  # joins the request threads
    log("stopped cleanly")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m labkit.serving",
        description="Serve a model over HTTP with SageMaker's /ping and /invocations contract "
                    "(and the multi-model contract with --multi-model-dir).",
    )
    parser.add_argument("command", nargs="?", choices=["serve"],
                        help="SageMaker starts an inference container as 'docker run <image> serve'; accepted")
    parser.add_argument("--model-dir", type=Path, default=Path(DEFAULT_MODEL_DIR),
                        help=f"directory with {MODEL_FILE} and {SCHEMA_FILE} (default {DEFAULT_MODEL_DIR})")
    parser.add_argument("--multi-model-dir", type=Path, default=None,
                        help="directory under which POST /models may load models (the multi-model contract)")
    parser.add_argument("--host", default=LOOPBACK,
                        help=f"address to bind (default {LOOPBACK}; a container uses {ALL_INTERFACES})")
    parser.add_argument("--port", type=int, default=None,
                        help=f"TCP port (default ${PORT_VARIABLE}, else {DEFAULT_PORT}); 0 picks a free port")
    parser.add_argument("--max-models", type=int, default=DEFAULT_MAX_MODELS,
                        help=f"models loaded at once before POST /models answers 507 (default {DEFAULT_MAX_MODELS})")
    parser.add_argument("--max-payload-bytes", type=int, default=MAX_PAYLOAD_BYTES,
                        help=f"largest request body accepted (default {MAX_PAYLOAD_BYTES:,})")
    return parser


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse and check the command line; exit with status 2 and a message on bad arguments."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.port is None:
        raw = os.environ.get(PORT_VARIABLE, str(DEFAULT_PORT))
        if not raw.isdigit():
            parser.error(f"${PORT_VARIABLE} is {raw!r}; set it to a port number.")
        args.port = int(raw)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be between 0 and 65535, got {args.port}")
    try:
        ipaddress.ip_address(args.host)
    except ValueError:
        parser.error(f"--host must be an IP address such as {LOOPBACK} or {ALL_INTERFACES}, got {args.host!r}")
    if args.max_models < 1:
        parser.error(f"--max-models must be at least 1, got {args.max_models}")
    if args.max_payload_bytes < 1:
        parser.error(f"--max-payload-bytes must be at least 1, got {args.max_payload_bytes}")
    if not (args.model_dir / MODEL_FILE).is_file():
        parser.error(f"--model-dir {str(args.model_dir)!r} has no {MODEL_FILE}; write one with save_model().")
    if args.multi_model_dir is not None and not args.multi_model_dir.is_dir():
        parser.error(f"--multi-model-dir {str(args.multi_model_dir)!r} is not a directory.")
    return args


def main(argv: list[str] | None = None) -> int:
    """The command line entry point: ``python -m labkit.serving --model-dir DIR [--port N]``."""
    args = parse_arguments(argv)
    return serve(
        args.model_dir,
        multi_model_dir=args.multi_model_dir,
        port=args.port,
        max_models=args.max_models,
        max_payload_bytes=args.max_payload_bytes,
        host=args.host,
    )


# ----------------------------------------------------------------------------------------------
# Client side: start the server as a process, and call it


@dataclass
class Response:
    """One HTTP answer: status, headers (names lowercased) and body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def call(
    port: int,
    method: str,
    path: str,
    body: bytes | str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30.0,
) -> Response:
    """Send one request to the server on 127.0.0.1:`port` (loopback only) and return its answer."""
    if not 1 <= port <= 65535:
        raise ValueError(f"port must be between 1 and 65535, got {port}")
    payload = body.encode() if isinstance(body, str) else body
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        connection.request(method, path, body=payload, headers=headers or {})
        answer = connection.getresponse()
        return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read())
    finally:
        connection.close()


class ServerProcess:
    """``python -m labkit.serving`` as a child process, for a lab or a test.

    Use it as a context manager so that the process is stopped even if the code inside fails::

        with ServerProcess(model_dir, log_path=tmp / "server.log") as server:
            call(server.port, "GET", "/ping")
    """

    def __init__(
        self,
        model_dir: Path | str,
        *,
        multi_model_dir: Path | str | None = None,
        port: int = 0,
        max_models: int = DEFAULT_MAX_MODELS,
        max_payload_bytes: int = MAX_PAYLOAD_BYTES,
        log_path: Path | str | None = None,
        host: str = LOOPBACK,
    ) -> None:
        self.command = [sys.executable, "-m", "labkit.serving", "--model-dir", str(model_dir), "--port", str(port),
                        "--max-models", str(max_models), "--max-payload-bytes", str(max_payload_bytes)]
        if host != LOOPBACK:
            self.command += ["--host", host]
        if multi_model_dir is not None:
            self.command += ["--multi-model-dir", str(multi_model_dir)]
        self.log_path = Path(log_path) if log_path is not None else None
        self.process: subprocess.Popen | None = None
        self.port: int | None = None
        self._log_file: Any = None

    def start(self, timeout: float = 60.0, wait_healthy: bool = True) -> ServerProcess:
        """Start the process, read its port, and (by default) wait until /ping answers 200."""
        if self.process is not None:
            raise ServerStartError("This server was already started; create a new ServerProcess.")
        self._log_file = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=self._log_file,
                                        stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + timeout
            self.port = self._read_port(deadline)
            if wait_healthy:
                self._wait_for_ping(deadline)
        except BaseException:
            self.kill()
            raise
        return self

    def _read_port(self, deadline: float) -> int:
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            if not selector.select(max(0.0, deadline - time.monotonic())):
                raise ServerStartError("The server printed no 'listening' line in time; read its log.")
        line = self.process.stdout.readline()
        if not line:
            code = self.process.wait(timeout=5)
            raise ServerStartError(f"The server exited with status {code} before listening; read its log.")
        return int(json.loads(line)["port"])

    def _wait_for_ping(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerStartError(f"The server exited with status {self.process.returncode}; read its log.")
            if call(self.port, "GET", "/ping", timeout=5).status == 200:
                return
            time.sleep(0.05)
        raise ServerStartError("/ping did not answer 200 in time; read the server's log.")

    @property
    def pid(self) -> int:
        if self.process is None:
            raise ServerStartError("The server is not started; call start() first.")
        return self.process.pid

    def stop(self, timeout: float = 15.0) -> int:
        """Send SIGTERM, wait up to `timeout` seconds, and return the exit status (kill and raise if it hangs)."""
        if self.process is None:
            raise ServerStartError("The server is not started; call start() first.")
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM, as SageMaker sends when it stops a container
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                raise ServerStartError(f"The server ignored SIGTERM for {timeout} s and was killed.") from None
        self._close_files()
        return self.process.returncode

    def kill(self) -> None:
        """Stop the process at once (SIGKILL) if it still runs; safe to call twice."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._close_files()

    def _close_files(self) -> None:
        if self.process is not None and self.process.stdout and not self.process.stdout.closed:
            self.process.stdout.close()
        if self._log_file not in (None, subprocess.DEVNULL) and not self._log_file.closed:
            self._log_file.close()

    def __enter__(self) -> ServerProcess:
        return self.start() if self.process is None else self

    def __exit__(self, *exc_info: Any) -> None:
        try:
            if self.process is not None and self.process.poll() is None:
                self.stop()
        finally:
            self.kill()


if __name__ == "__main__":
    sys.exit(main())
