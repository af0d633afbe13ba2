"""labkit.serving: the SageMaker-style inference server, run as a real process on 127.0.0.1 (never another address)."""

from __future__ import annotations

import json
import socket
import time

import numpy as np
import psutil
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from labkit.datasets import load_dataset
from labkit.serving import (
    CSV,
    DEFAULT_PORT,
    JSON,
    MAX_PAYLOAD_BYTES,
    PORT_VARIABLE,
    TARGET_MODEL_HEADER,
    InsufficientStorageError,
    ModelAlreadyLoadedError,
    ModelArtifactError,
    ModelStore,
    NotAcceptableError,
    PayloadError,
    ServerProcess,
    ServerStartError,
    UnknownModelError,
    UnsupportedMediaTypeError,
    call,
    check_content_type,
    choose_output_type,
    load_model,
    make_schema,
    parse_arguments,
    parse_csv,
    parse_json,
    save_model,
)

SHUTDOWN_TIMEOUT = 15  # seconds; SageMaker allows 30 between SIGTERM and SIGKILL
SMALL_LIMIT = 4096


def _pipeline(numeric, categorical):
    encode = ColumnTransformer(
        [("numeric", StandardScaler(), numeric), ("categories", OneHotEncoder(handle_unknown="ignore"), categorical)]
    )
    return make_pipeline(encode, LogisticRegression(max_iter=500))


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory):
    """A default model, three named models and a damaged one, trained on 2,000 loans."""
    root = tmp_path_factory.mktemp("serving")
    loans = load_dataset("lending_club").sample(2000, random_state=0)
    labels = (loans.pop("Class") == "bad").astype(int).to_numpy()
    categorical = [c for c in loans.columns if str(loans[c].dtype) == "category"]
    numeric = [c for c in loans.columns if c not in categorical]
    model = _pipeline(numeric, categorical).fit(loans, labels)
    save_model(model, root / "model", list(loans.columns), numeric)
    for offset, name in enumerate(["alpha", "beta", "gamma"]):
        part = slice(offset * 500, offset * 500 + 1000)
        save_model(_pipeline(numeric, categorical).fit(loans[part], labels[part]), root / "models" / name,
                   list(loans.columns), numeric)
    broken = root / "models" / "broken"
    broken.mkdir()
    (broken / "model.joblib").write_bytes(b"not a pickle")
    (broken / "schema.json").write_text((root / "model" / "schema.json").read_text())
    damaged_default = root / "damaged"
    damaged_default.mkdir()
    (damaged_default / "model.joblib").write_bytes(b"not a pickle")
    (damaged_default / "schema.json").write_text((root / "model" / "schema.json").read_text())
    return {"root": root, "model": model, "rows": loans.head(20), "numeric": numeric}


@pytest.fixture(scope="module")
def server(artifacts, tmp_path_factory):
    """One server for the contract tests; killed in `finally` even if a test or the start fails."""
    log = tmp_path_factory.mktemp("logs") / "server.log"
    process = ServerProcess(artifacts["root"] / "model", multi_model_dir=artifacts["root"] / "models", log_path=log)
    try:
        process.start()
        yield process
    finally:
        process.kill()


@pytest.fixture
def start_server(artifacts, tmp_path):
    """A factory of extra servers (own counters, own limits); every one is killed at teardown."""
    started = []

    def start(model_dir=None, wait_healthy=True, **options):
        process = ServerProcess(model_dir or artifacts["root"] / "model", multi_model_dir=artifacts["root"] / "models",
                                log_path=tmp_path / f"server-{len(started)}.log", **options)
        started.append(process)
        return process.start(wait_healthy=wait_healthy)

    try:
        yield start
    finally:
        for process in started:
            process.kill()


def _csv(rows) -> str:
    return "\n".join(",".join(repr(v) if isinstance(v, float) else str(v) for v in row)
                     for row in rows.itertuples(index=False)) + "\n"


def _csv_floats(body: bytes) -> np.ndarray:
    return np.array([float(line) for line in body.decode().split()])


def _load(port, root, name):
    return call(port, "POST", "/models", json.dumps({"model_name": name, "url": str(root / "models" / name)}),
                {"Content-Type": JSON})


def _invoke(port, body, content_type=CSV, accept=None, path="/invocations", extra=None):
    headers = {"Content-Type": content_type, **({"Accept": accept} if accept else {}), **(extra or {})}
    return call(port, "POST", path, body, headers)


# ---- the contract --------------------------------------------------------------------------------


def test_ping_answers_200_once_the_model_is_loaded(server):
    answer = call(server.port, "GET", "/ping")
    assert answer.status == 200 and answer.body == b""


def test_csv_and_json_give_the_in_process_predictions(server, artifacts):
    rows, model = artifacts["rows"], artifacts["model"]
    expected = model.predict_proba(rows)[:, 1]
    as_csv = _invoke(server.port, _csv(rows), accept=CSV)
    as_lists = _invoke(server.port, json.dumps({"instances": json.loads(rows.to_json(orient="values"))}), JSON)
    as_objects = _invoke(server.port, json.dumps({"instances": json.loads(rows.to_json(orient="records"))}), JSON)
    assert (as_csv.status, as_lists.status, as_objects.status) == (200, 200, 200)
    assert as_csv.headers["content-type"] == CSV
    np.testing.assert_allclose(_csv_floats(as_csv.body), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(as_lists.json()["predictions"], expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(as_objects.json()["predictions"], expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    ("accept", "expected_type"),
    [(None, JSON), ("*/*", JSON), (JSON, JSON), (CSV, CSV), ("text/html, text/csv;q=0.9", CSV), ("text/*", CSV)],
)
def test_the_accept_header_chooses_the_output(server, artifacts, accept, expected_type):
    answer = _invoke(server.port, _csv(artifacts["rows"].head(3)), accept=accept)
    assert answer.status == 200 and answer.headers["content-type"] == expected_type
    values = _csv_floats(answer.body) if expected_type == CSV else answer.json()["predictions"]
    assert len(values) == 3


def test_an_accept_it_cannot_produce_is_406(server, artifacts):
    answer = _invoke(server.port, _csv(artifacts["rows"].head(1)), accept="application/xml")
    assert answer.status == 406 and "text/csv" in answer.json()["error"]


# ---- client errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        ("1,2,3\n", CSV, "has 3 values"),
        ("", CSV, "empty"),
        ('{"instances": [', JSON, "not valid JSON"),
        ('[[1, 2]]', JSON, '"instances"'),
        ('{"instances": []}', JSON, "empty"),
    ],
)
def test_a_malformed_payload_is_400(server, body, content_type, message):
    answer = _invoke(server.port, body, content_type)
    assert answer.status == 400 and message in answer.json()["error"]


def test_a_header_line_is_400_with_a_hint(server, artifacts):
    header = ",".join(artifacts["rows"].columns) + "\n"
    answer = _invoke(server.port, header + _csv(artifacts["rows"].head(1)))
    assert answer.status == 400 and "without a header" in answer.json()["error"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_an_unsupported_content_type_is_415(server, artifacts, content_type):
    answer = _invoke(server.port, _csv(artifacts["rows"].head(1)), content_type)
    assert answer.status == 415


def test_a_body_over_the_real_time_limit_is_413(server):
    answer = _invoke(server.port, b"1" * (MAX_PAYLOAD_BYTES + 1))
    assert answer.status == 413 and f"{MAX_PAYLOAD_BYTES:,}" in answer.json()["error"]


def test_the_limit_is_inclusive(start_server, artifacts):
    small = start_server(max_payload_bytes=SMALL_LIMIT)
    body = _csv(artifacts["rows"].head(2))
    exactly = body + "\n" * (SMALL_LIMIT - len(body))  # blank lines are skipped
    assert len(exactly) == SMALL_LIMIT
    assert _invoke(small.port, exactly).status == 200
    assert _invoke(small.port, exactly + "\n").status == 413


def test_the_default_limit_is_invoke_endpoints_body_limit():
    botocore = pytest.importorskip("botocore.session")
    model = botocore.get_session().get_service_model("sagemaker-runtime").operation_model("InvokeEndpoint")
    assert model.input_shape.members["Body"].metadata["max"] == MAX_PAYLOAD_BYTES == 6_291_456
    assert model.input_shape.members["TargetModel"].serialization["name"] == TARGET_MODEL_HEADER


def test_unknown_paths_models_and_methods(server, artifacts):
    body = _csv(artifacts["rows"].head(1))
    assert call(server.port, "GET", "/nowhere").status == 404
    assert _invoke(server.port, body, path="/models/missing/invoke").status == 404
    assert call(server.port, "GET", "/models/missing").status == 404
    assert call(server.port, "DELETE", "/models/missing").status == 404
    wrong_method = call(server.port, "GET", "/invocations")
    assert wrong_method.status == 405 and wrong_method.headers["allow"] == "POST"
    assert call(server.port, "DELETE", "/models").status == 405


def test_a_missing_content_length_is_411(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(b"POST /invocations HTTP/1.0\r\nContent-Type: text/csv\r\n\r\n")
        assert connection.recv(100).startswith(b"HTTP/1.0 411")


def test_a_server_error_is_500_without_a_traceback(server, artifacts):
    answer = _load(server.port, artifacts["root"], "broken")
    assert answer.status == 500
    document = answer.json()
    assert set(document) == {"error", "request_id"} and document["error"] == "internal server error"
    assert "Traceback" not in answer.body.decode() and "File " not in answer.body.decode()
    assert answer.headers["x-request-id"] == document["request_id"]
    log = server.log_path.read_text()
    assert f"request {document['request_id']} POST /models failed\nTraceback" in log


def test_a_model_that_fails_to_load_keeps_ping_at_503(start_server, artifacts):
    damaged = start_server(artifacts["root"] / "damaged", wait_healthy=False)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ping = call(damaged.port, "GET", "/ping")
        if "failed" in ping.body.decode():
            break
        time.sleep(0.05)
    assert ping.status == 503 and ping.json()["error"] == "the model failed to load"
    assert _invoke(damaged.port, _csv(artifacts["rows"].head(1))).status == 503


# ---- the multi-model container contract (mms-container-apis) ------------------------------------


def test_the_model_management_api_follows_the_contract(start_server, artifacts):
    multi = start_server(max_models=2)
    root, body = artifacts["root"], _csv(artifacts["rows"].head(2))
    assert _invoke(multi.port, body, path="/models/alpha/invoke").status == 404  # never loaded on its own
    loaded = _load(multi.port, root, "alpha")
    assert loaded.status == 200 and loaded.json() == {"modelName": "alpha", "modelUrl": str(root / "models" / "alpha")}
    assert _load(multi.port, root, "alpha").status == 409
    assert _load(multi.port, root, "beta").status == 200
    full = _load(multi.port, root, "gamma")
    assert full.status == 507 and "Unload one" in full.json()["error"]
    listing = call(multi.port, "GET", "/models").json()["models"]
    assert [m["modelName"] for m in listing] == ["alpha", "beta"] and listing[1]["modelUrl"].endswith("beta")
    assert call(multi.port, "GET", "/models/beta").json()["modelName"] == "beta"
    assert _invoke(multi.port, body, path="/models/beta/invoke").status == 200
    assert call(multi.port, "DELETE", "/models/alpha").status == 200
    assert call(multi.port, "GET", "/models/alpha").status == 404
    assert _invoke(multi.port, body, path="/models/alpha/invoke").status == 404
    assert _load(multi.port, root, "gamma").status == 200  # room again
    assert call(multi.port, "GET", "/stats").json()["models"] == {"capacity": 2, "loaded": ["beta", "gamma"]}


def test_each_named_model_answers_with_its_own_predictions(server, artifacts):
    root, body = artifacts["root"], _csv(artifacts["rows"].head(5))
    for name in ("beta", "gamma"):
        assert _load(server.port, root, name).status in (200, 409)
    beta = _invoke(server.port, body, path="/models/beta/invoke", extra={TARGET_MODEL_HEADER: "beta.tar.gz"})
    gamma = _invoke(server.port, body, path="/models/gamma/invoke").json()["predictions"]
    default = _invoke(server.port, body).json()["predictions"]
    assert beta.status == 200 and beta.json()["predictions"] not in (gamma, default)
    assert "(TargetModel beta.tar.gz)" in server.log_path.read_text()  # the header is logged, not routed on


@pytest.mark.parametrize(
    ("document", "status"),
    [
        ("{", 400),
        ('{"model_name": "alpha"}', 400),
        ('{"model_name": "../alpha", "url": "/tmp"}', 400),
        ('{"model_name": "alpha", "url": "/etc"}', 400),
        ('{"model_name": "nothere", "url": "MODELS/nothere"}', 404),
    ],
)
def test_a_bad_load_request_says_what_is_wrong(server, artifacts, document, status):
    document = document.replace("MODELS", str(artifacts["root"] / "models"))
    answer = call(server.port, "POST", "/models", document, {"Content-Type": JSON})
    assert answer.status == status and answer.json()["error"]


def test_a_server_without_a_multi_model_dir_refuses_to_load(artifacts, tmp_path):
    single = ServerProcess(artifacts["root"] / "model", log_path=tmp_path / "single.log")
    try:
        single.start()
        answer = _load(single.port, artifacts["root"], "alpha")
        assert answer.status == 400 and "--multi-model-dir" in answer.json()["error"]
    finally:
        single.kill()


# ---- process hygiene -----------------------------------------------------------------------------


def test_it_listens_on_the_loopback_interface_only(server):
    listening = [c.laddr for c in psutil.Process(server.pid).net_connections("inet") if c.status == psutil.CONN_LISTEN]
    assert listening and all(address.ip == "127.0.0.1" for address in listening)
    assert {address.port for address in listening} == {server.port}


def test_sigterm_stops_it_with_status_0(start_server):
    process = start_server()
    port = process.port
    assert call(port, "GET", "/ping").status == 200
    started = time.monotonic()
    assert process.stop(timeout=SHUTDOWN_TIMEOUT) == 0
    assert time.monotonic() - started < SHUTDOWN_TIMEOUT
    assert "stopped cleanly" in process.log_path.read_text()
    with pytest.raises(ConnectionRefusedError):
        call(port, "GET", "/ping", timeout=2)


def _wait_until_accepted(pid: int, client_port: int, timeout: float = 20.0) -> None:
    """Wait until the server process holds our connection (accepted, not just queued by the kernel)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(c.raddr and c.raddr.port == client_port for c in psutil.Process(pid).net_connections("inet")):
            return
        time.sleep(0.02)
    raise AssertionError("the server never accepted the connection")


def test_sigterm_lets_a_request_in_flight_finish(start_server, artifacts):
    process = start_server()
    body = _csv(artifacts["rows"].head(3)).encode()
    head = f"POST /invocations HTTP/1.0\r\nContent-Type: text/csv\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    with socket.create_connection(("127.0.0.1", process.port), timeout=20) as connection:
        connection.sendall(head + body[:10])
        _wait_until_accepted(process.pid, connection.getsockname()[1])  # the server is now reading it
        process.process.terminate()
        time.sleep(0.5)
        assert process.process.poll() is None, "the server exited with a request in flight"
        connection.sendall(body[10:])
        answer = connection.makefile("rb").read()
    assert answer.startswith(b"HTTP/1.0 200")
    assert len(json.loads(answer.split(b"\r\n\r\n", 1)[1])["predictions"]) == 3
    assert process.process.wait(timeout=SHUTDOWN_TIMEOUT) == 0


def test_the_server_process_helper_refuses_misuse(artifacts, tmp_path):
    unstarted = ServerProcess(artifacts["root"] / "model")
    with pytest.raises(ServerStartError, match="not started"):
        unstarted.stop()
    with pytest.raises(ServerStartError, match="exited with status 2"):
        ServerProcess(tmp_path, log_path=tmp_path / "log").start(timeout=30)
    assert "has no model.joblib" in (tmp_path / "log").read_text()


# ---- units: arguments, schema, parsing, negotiation, cache ---------------------------------------


def test_the_host_defaults_to_loopback_and_a_container_can_ask_for_all_interfaces(artifacts, capsys):
    model_dir = str(artifacts["root"] / "model")
    assert parse_arguments(["--model-dir", model_dir]).host == "127.0.0.1"
    assert parse_arguments(["--model-dir", model_dir, "--host", "0.0.0.0"]).host == "0.0.0.0"
    with pytest.raises(SystemExit):
        parse_arguments(["--model-dir", model_dir, "--host", "example.com"])
    assert "--host must be an IP address" in capsys.readouterr().err
    assert "--host" in ServerProcess(model_dir, host="0.0.0.0").command  # passed on; never started here
    assert parse_arguments(["serve", "--model-dir", model_dir]).command == "serve"  # docker run <image> serve
    with pytest.raises(SystemExit):
        parse_arguments(["train", "--model-dir", model_dir])


def test_the_port_defaults_to_8080_or_sagemaker_bind_to_port(artifacts, monkeypatch):
    model_dir = str(artifacts["root"] / "model")
    monkeypatch.delenv(PORT_VARIABLE, raising=False)
    assert parse_arguments(["--model-dir", model_dir]).port == DEFAULT_PORT == 8080
    monkeypatch.setenv(PORT_VARIABLE, "9001")
    assert parse_arguments(["--model-dir", model_dir]).port == 9001
    assert parse_arguments(["--model-dir", model_dir, "--port", "0"]).port == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--max-models", "0"], "--max-models must be at least 1"),
        (["--port", "70000"], "--port must be between 0 and 65535"),
        (["--max-payload-bytes", "0"], "--max-payload-bytes must be at least 1"),
        (["--multi-model-dir", "/nonexistent/models"], "is not a directory"),
    ],
)
def test_bad_arguments_exit_with_a_message(artifacts, capsys, arguments, message):
    with pytest.raises(SystemExit) as stopped:
        parse_arguments(["--model-dir", str(artifacts["root"] / "model"), *arguments])
    assert stopped.value.code == 2 and message in capsys.readouterr().err


def test_a_model_dir_without_a_model_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        parse_arguments(["--model-dir", str(tmp_path), "--port", "0"])
    assert "has no model.joblib" in capsys.readouterr().err


def test_save_and_load_check_their_inputs(tmp_path, artifacts):
    with pytest.raises(TypeError, match="no predict_proba or predict"):
        save_model(object(), tmp_path / "m", ["a"], [])
    with pytest.raises(ModelArtifactError, match="not in columns"):
        make_schema(["a", "b"], ["c"])
    with pytest.raises(ModelArtifactError, match="more than once"):
        make_schema(["a", "a"], [])
    with pytest.raises(ModelArtifactError, match="empty"):
        make_schema([], [])
    with pytest.raises(ModelArtifactError, match="has no model.joblib"):
        load_model(tmp_path)
    (tmp_path / "model.joblib").write_bytes(b"x")
    (tmp_path / "schema.json").write_text("{")
    with pytest.raises(ModelArtifactError, match="schema.json"):
        load_model(tmp_path)
    loaded = load_model(artifacts["root"] / "model")
    assert loaded.schema.columns == tuple(artifacts["rows"].columns)


def test_parsing_names_the_row_and_column_at_fault():
    schema = make_schema(["amount", "grade"], ["amount"])
    frame = parse_csv(b"100,A\n\n2.5, B \n", schema)
    assert frame["amount"].tolist() == [100.0, 2.5] and frame["grade"].tolist() == ["A", "B"]
    for body, message in [
        (b"100,A\nabc,B\n", "Row 2, column 'amount': 'abc' is not a number"),
        (b",A\n", "Row 1, column 'amount': the value is missing"),
        (b"inf,A\n", "not a finite number"),
        (b"1,\n", "expected a non-empty string"),
        (b"\xff\xfe", "not UTF-8"),
    ]:
        with pytest.raises(PayloadError, match=message):
            parse_csv(body, schema)
    assert parse_json(b'{"instances": [{"amount": 3, "grade": "C"}]}', schema)["amount"].tolist() == [3.0]
    for body, message in [
        (b'{"instances": [{"amount": 3}]}', "lacks column"),
        (b'{"instances": [[true, "A"]]}', "expected a number"),
        (b'{"instances": [7]}', "is a int"),
    ]:
        with pytest.raises(PayloadError, match=message):
            parse_json(body, schema)


def test_output_negotiation():
    assert choose_output_type(None) == choose_output_type("") == JSON
    assert choose_output_type("application/json; charset=utf-8") == JSON
    assert choose_output_type("image/png, text/*") == CSV
    with pytest.raises(NotAcceptableError, match="text/csv or application/json"):
        choose_output_type("image/png")


def test_the_store_checks_its_capacity_names_and_urls(tmp_path, artifacts):
    with pytest.raises(ValueError, match="at least 1"):
        ModelStore(tmp_path, 0)
    models = artifacts["root"] / "models"
    store = ModelStore(models, 1)
    with pytest.raises(UnknownModelError, match="'ghost' is not loaded"):
        store.get("ghost")
    with pytest.raises(PayloadError, match="not valid"):
        store.load("../etc", str(models))
    with pytest.raises(PayloadError, match="outside"):
        store.load("alpha", str(tmp_path))
    store.load("alpha", str(models / "alpha"))
    with pytest.raises(ModelAlreadyLoadedError):
        store.load("alpha", str(models / "alpha"))
    with pytest.raises(InsufficientStorageError, match="1 of 1"):
        store.load("beta", str(models / "beta"))
    store.unload("alpha")
    with pytest.raises(UnknownModelError):
        store.unload("alpha")
    assert store.listing() == []


def test_content_type_check():
    assert check_content_type("text/csv; charset=utf-8") == CSV
    with pytest.raises(UnsupportedMediaTypeError, match="'text/plain' is not supported"):
        check_content_type("text/plain")


def test_call_refuses_a_bad_port():
    with pytest.raises(ValueError, match="between 1 and 65535"):
        call(0, "GET", "/ping")
