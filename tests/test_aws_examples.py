"""Every AWS code example in the book and the labs runs offline, and botocore validates every request.

- A fenced ```python block in book/**/*.md that uses boto3 is one example, run alone in a fresh
  namespace under `labkit.awsoffline.offline_aws()`.
- A lab (labs/*.ipynb) whose code uses boto3 is one example: all its code cells, in order.
- A fenced ```json block right after a MyST comment line `% aws-request: <service> <Operation>`
  is a request body, validated against the operation's input shape. Two variants:
  `% aws-request: <service> <Operation> <Member>` validates the block as that request member, and
  `% aws-request: <service> <Operation> fragment` validates a partial request (some members).

A wrong parameter name or type fails with botocore's ParamValidationError. Every call must use
us-east-1, name what it creates with the prefix `mla-course-`, and delete what it created.
"""

from __future__ import annotations

import json
import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import boto3
import pytest
from botocore.exceptions import ParamValidationError
from botocore.session import get_session

from labkit import awsoffline
from labkit.awsoffline import AwsCall, OfflineAWSError, check_request, offline_aws, placeholder_response
from tests.conftest import REPO_ROOT

BOOK_PAGES = sorted((REPO_ROOT / "book").rglob("*.md"))
LABS = sorted((REPO_ROOT / "labs").glob("*.ipynb"))
USES_BOTO3 = re.compile(r"\bboto3\b")
FENCE = re.compile(r"^(`{3,})\s*([\w{}-]*)\s*$")
MARKER = re.compile(r"^%\s*aws-request:\s*(.*)$")
REGION = "us-east-1"
PREFIX = "mla-course-"
# Creations whose undo is not named Delete<same noun>.
UNDO = {
    "PutRule": {"DeleteRule"},
    "PutTargets": {"RemoveTargets"},
    "PutMetricAlarm": {"DeleteAlarms"},
    "RegisterScalableTarget": {"DeregisterScalableTarget"},
    "PutScalingPolicy": {"DeleteScalingPolicy"},
    "PutScheduledAction": {"DeleteScheduledAction"},
    "CreateKey": {"ScheduleKeyDeletion"},
    "PutObject": {"DeleteObject", "DeleteObjects"},
    "PutRolePolicy": {"DeleteRolePolicy"},
}


@dataclass(frozen=True)
class Example:
    """One runnable AWS example: where it comes from and its code."""

    id: str
    code: str
    kind: str  # "book" or "lab"


@dataclass(frozen=True)
class JsonRequest:
    """One JSON request body marked with `% aws-request:` in a chapter."""

    id: str
    service: str
    operation: str
    member: str | None
    fragment: bool
    text: str


def _relative(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT))


def fenced_blocks(text: str) -> list[tuple[int, str, str, str]]:
    """(line number, language, body, the line before the fence) of each fenced block of a page."""
    lines = text.splitlines()
    blocks, index = [], 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening and opening.group(2):
            fence, language, start = opening.group(1), opening.group(2), index
            index += 1
            body = []
            while index < len(lines) and lines[index].strip() != fence:
                body.append(lines[index])
                index += 1
            before = lines[start - 1] if start else ""
            blocks.append((start + 1, language, "\n".join(body), before))
        index += 1
    return blocks


def book_examples() -> list[Example]:
    examples = []
    for page in BOOK_PAGES:
        for line, language, body, _ in fenced_blocks(page.read_text(encoding="utf-8")):
            if language == "python" and USES_BOTO3.search(body):
                examples.append(Example(f"{_relative(page)}:{line}", body, "book"))
    return examples


def lab_examples() -> list[Example]:
    examples = []
    for lab in LABS:
        cells = json.loads(lab.read_text(encoding="utf-8"))["cells"]
        sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        if any(USES_BOTO3.search(source) for source in sources):
            examples.append(Example(_relative(lab), "\n\n".join(sources), "lab"))
    return examples


def json_requests() -> list[JsonRequest]:
    requests = []
    for page in BOOK_PAGES:
        for line, language, body, before in fenced_blocks(page.read_text(encoding="utf-8")):
            marker = MARKER.match(before.strip())
            if language == "json" and marker:
                words = marker.group(1).split()
                where = f"{_relative(page)}:{line - 1}"
                assert len(words) in (2, 3), f"{where}: write '% aws-request: <service> <Operation>'"
                extra = words[2] if len(words) == 3 else None
                requests.append(JsonRequest(f"{_relative(page)}:{line}", words[0], words[1],
                                            None if extra in (None, "fragment") else extra, extra == "fragment", body))
    return requests


BOOK_EXAMPLES = book_examples()
LAB_EXAMPLES = lab_examples()
EXAMPLES = BOOK_EXAMPLES + LAB_EXAMPLES
JSON_REQUESTS = json_requests()


def run_example(example: Example) -> list[AwsCall]:
    """Execute an example in a fresh namespace under offline_aws(); return the calls it made."""
    if any(line.lstrip().startswith(("%", "!")) for line in example.code.splitlines()):
        pytest.fail(f"{example.id}: IPython magics (% or !) cannot run outside Jupyter; use Python")
    namespace = {"__name__": "__aws_example__", "display": lambda *args, **kwargs: None}
    working_directory = os.getcwd()
    os.chdir(REPO_ROOT / ("labs" if example.kind == "lab" else "book"))
    try:
        with offline_aws() as aws:
            exec(compile(example.code, example.id, "exec"), namespace)  # noqa: S102 - the course's own examples
    finally:
        os.chdir(working_directory)
    return aws.calls


# --- the checks applied to every run -------------------------------------------------------------


def problems_with(calls: list[AwsCall]) -> list[str]:
    """Region, naming and cleanup rules of CONTRIBUTING.md ('AWS code examples'), as messages."""
    # botocore reports the Region of a global service's client (IAM) as aws-global.
    problems = [f"{c.operation} was called in {c.region}; use region_name='{REGION}'" for c in calls
                if c.region not in (REGION, "aws-global")]
    for call in calls:
        verb = re.match(r"(Create|Put)(\w+)", call.operation)
        if not verb:
            continue
        noun = verb.group(2)
        for key, value in call.params.items():
            names_it = key in ("Bucket", "Name") or (key.endswith("Name") and noun.endswith(key[:-4]) and key[:-4])
            if names_it and isinstance(value, str) and not value.removeprefix("alias/").startswith(PREFIX):
                problems.append(f"{call.operation}: {key}={value!r} must start with {PREFIX!r}")
    problems += missing_cleanup(calls)
    return problems


def missing_cleanup(calls: list[AwsCall]) -> list[str]:
    made = [(c.service, c.operation) for c in calls]
    problems = []
    for service, operation in dict.fromkeys(made):
        undo = UNDO.get(operation)
        if undo is None and operation.startswith("Create"):
            delete = "Delete" + operation.removeprefix("Create")
            undo = {delete} if delete in get_session().get_service_model(service).operation_names else None
        if undo and not any((service, op) in made for op in undo):
            problems.append(f"{service} {operation} is never undone: call {' or '.join(sorted(undo))} in the cleanup")
    return problems


# --- tests ---------------------------------------------------------------------------------------


def test_there_are_aws_examples_in_the_book_and_the_labs():
    assert BOOK_EXAMPLES, "no ```python block in book/ uses boto3 (the extractor may be broken)"
    assert LAB_EXAMPLES, "no lab uses boto3 (labs/13-on-aws-walkthrough.ipynb should)"
    assert JSON_REQUESTS, "no JSON block in book/ carries a '% aws-request:' marker"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_aws_example_runs_offline_and_follows_the_rules(example, record_property):
    calls = run_example(example)
    assert calls, f"{example.id} made no AWS call"
    problems = problems_with(calls)
    assert not problems, f"{example.id}:\n" + "\n".join(problems)
    record_property("aws_example", example.kind)
    for answered_by in ("moto", "stub"):
        record_property(f"aws_calls_{answered_by}", sum(c.answered_by == answered_by for c in calls))


@pytest.mark.parametrize("request_body", JSON_REQUESTS, ids=lambda r: r.id)
def test_json_request_example_is_valid_against_the_service_model(request_body, record_property):
    body = json.loads(request_body.text)
    check_request(request_body.service, request_body.operation, body, member=request_body.member,
                  fragment=request_body.fragment)
    record_property("aws_json_request", 1)


def test_every_aws_request_marker_sits_right_above_a_json_block():
    for page in BOOK_PAGES:
        lines = page.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            if MARKER.match(line.strip()):
                following = lines[number] if number < len(lines) else ""
                assert following.strip() == "```json", (
                    f"{_relative(page)}:{number}: the '% aws-request:' line must be followed directly by ```json"
                )


BROKEN_NAME = '''
import boto3
aas = boto3.client("application-autoscaling", region_name="us-east-1")
aas.register_scalable_target(ServiceNamespace="sagemaker", ResourceId="endpoint/mla-course-e/variant/AllTraffic",
                             ScalableDimension="sagemaker:variant:DesiredInstanceCount", MinCapcity=1, MaxCapacity=2)
'''
BROKEN_TYPE = BROKEN_NAME.replace("MinCapcity=1", 'MinCapacity="1"')


def test_a_wrong_parameter_name_fails_with_botocores_validation_error():
    with pytest.raises(ParamValidationError, match='Unknown parameter in input: "MinCapcity"'):
        run_example(Example("broken-name", BROKEN_NAME, "book"))


def test_a_wrong_parameter_type_fails_with_botocores_validation_error():
    with pytest.raises(ParamValidationError, match="Invalid type for parameter MinCapacity, value: 1"):
        run_example(Example("broken-type", BROKEN_TYPE, "book"))


def test_a_broken_json_request_fails_with_botocores_validation_error():
    good = {"Strategy": "Bayesian", "ResourceLimits": {"MaxParallelTrainingJobs": 1}}
    check_request("sagemaker", "CreateHyperParameterTuningJob", good, member="HyperParameterTuningJobConfig")
    with pytest.raises(ParamValidationError, match='Unknown parameter in ResourceLimits: "MaxParallelJobs"'):
        check_request("sagemaker", "CreateHyperParameterTuningJob",
                      {"Strategy": "Bayesian", "ResourceLimits": {"MaxParallelJobs": 1}},
                      member="HyperParameterTuningJobConfig")
    with pytest.raises(ParamValidationError, match="Invalid type for parameter VpcConfig.Subnets"):
        check_request("sagemaker", "CreateTrainingJob",
                      {"VpcConfig": {"SecurityGroupIds": ["sg-1"], "Subnets": "subnet-1"}}, fragment=True)
    with pytest.raises(ParamValidationError, match='Missing required parameter in input: "TrainingJobName"'):
        check_request("sagemaker", "CreateTrainingJob", {"VpcConfig": {"SecurityGroupIds": [], "Subnets": []}})


def test_the_rules_catch_a_missing_cleanup_a_missing_prefix_and_another_region():
    calls = [
        AwsCall("sagemaker", "CreateEndpointConfig", "moto", "eu-west-1", {"EndpointConfigName": "my-config"}),
        AwsCall("s3", "CreateBucket", "moto", REGION, {"Bucket": "mla-course-b"}),
        AwsCall("s3", "DeleteBucket", "moto", REGION, {"Bucket": "mla-course-b"}),
    ]
    problems = "\n".join(problems_with(calls))
    assert "eu-west-1" in problems
    assert "EndpointConfigName='my-config' must start with 'mla-course-'" in problems
    assert "CreateEndpointConfig is never undone: call DeleteEndpointConfig" in problems
    assert "CreateBucket" not in problems


def test_examples_make_no_network_connection(monkeypatch):
    attempts = []
    real_connect = socket.socket.connect

    def connect_only_to_loopback(self, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        if host not in ("127.0.0.1", "::1", "localhost"):
            attempts.append(address)
            raise OSError(f"test_aws_examples: a connection to {address} was attempted")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect_only_to_loopback)
    for example in EXAMPLES:
        run_example(example)
    # A custom endpoint is not moto's: the stub answers it, still without a connection.
    with offline_aws() as aws:
        boto3.client("s3", region_name=REGION, endpoint_url="https://storage.example.org").list_buckets()
    assert aws.counts() == {"stub": 1}
    assert attempts == []
    # The last line of defence: a request that reaches botocore's send step under offline_aws() is refused.
    with offline_aws(), pytest.raises(OfflineAWSError, match="refused to send a request"):
        awsoffline._refuse_network(request=SimpleNamespace(url="https://storage.example.org/"))


def test_the_stub_answers_from_the_output_shape_and_validates_it():
    with offline_aws() as aws:
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        answer = sagemaker.describe_monitoring_schedule(MonitoringScheduleName="mla-course-schedule")
    assert aws.counts() == {"stub": 1}
    assert answer["MonitoringScheduleName"] == "mla-course-schedule"  # echoed from the request
    assert answer["MonitoringScheduleArn"] == (
        "arn:aws:sagemaker:us-east-1:123456789012:monitoring-schedule/mla-course-schedule"
    )
    model = get_session().get_service_model("sagemaker").operation_model("DescribeMonitoringSchedule")
    status_enum = model.output_shape.members["MonitoringScheduleStatus"].enum
    assert answer["MonitoringScheduleStatus"] == status_enum[0]
    assert placeholder_response(model)["MonitoringScheduleName"] == "mla-course-example"


@pytest.mark.parametrize("service", ["sagemaker", "sagemaker-runtime", "s3", "kms", "events", "cloudwatch"])
def test_the_stub_can_answer_every_operation_of_the_course_services(service):
    model = get_session().get_service_model(service)
    for operation in model.operation_names:
        placeholder_response(model.operation_model(operation))  # validated against the output shape


def test_moto_answers_what_it_implements_and_keeps_state():
    with offline_aws() as aws:
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="mla-course-state")
        s3.put_object(Bucket="mla-course-state", Key="a.txt", Body=b"hello")
        body = s3.get_object(Bucket="mla-course-state", Key="a.txt")["Body"].read()
        s3.delete_object(Bucket="mla-course-state", Key="a.txt")
        s3.delete_bucket(Bucket="mla-course-state")
    assert body == b"hello" and aws.counts() == {"moto": 5}


def test_the_decorator_form_and_nesting_record_calls_in_every_open_session():
    @offline_aws
    def bare():
        return boto3.client("sts", region_name=REGION).get_caller_identity()["Account"]

    @offline_aws()
    def called():
        return boto3.client("sts", region_name=REGION).get_caller_identity()["Account"]

    assert bare() == called() == "123456789012"
    with offline_aws() as outer:
        inner = offline_aws().start()
        boto3.client("sts", region_name=REGION).get_caller_identity()
        inner.stop()
    assert len(outer.calls) == len(inner.calls) == 1


def test_credentials_are_fake_inside_and_restored_after(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "learner-key")
    monkeypatch.setenv("AWS_PROFILE", "learner-profile")
    with offline_aws():
        assert os.environ["AWS_ACCESS_KEY_ID"] != "learner-key"
        assert "AWS_PROFILE" not in os.environ
    assert os.environ["AWS_ACCESS_KEY_ID"] == "learner-key" and os.environ["AWS_PROFILE"] == "learner-profile"


def test_live_mode_mocks_nothing(monkeypatch):
    from moto.core.models import botocore_stubber

    monkeypatch.setenv("MLA_COURSE_AWS", "live")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "learner-key")
    with offline_aws() as aws:
        assert aws.live and not botocore_stubber.enabled
        assert os.environ["AWS_ACCESS_KEY_ID"] == "learner-key"
        assert not any(handler[1] is awsoffline._refuse_network for handler in awsoffline.BUILTIN_HANDLERS)


def test_a_misspelt_mode_and_a_stray_stop_raise_clear_errors(monkeypatch):
    monkeypatch.setenv("MLA_COURSE_AWS", "on")
    with pytest.raises(OfflineAWSError, match="leave it unset"):
        offline_aws().start()
    monkeypatch.delenv("MLA_COURSE_AWS")
    with pytest.raises(OfflineAWSError, match="not running"):
        offline_aws().stop()


def test_a_gap_in_moto_is_explained(monkeypatch):
    # Pretend moto implements UpdateEndpoint: its dispatcher then raises NotImplementedError.
    monkeypatch.setattr(awsoffline, "moto_implements", lambda service, operation, url: True)
    with offline_aws(), pytest.raises(OfflineAWSError, match="STUBBED_OPERATIONS"):
        boto3.client("sagemaker", region_name=REGION).update_endpoint(
            EndpointName="mla-course-e", EndpointConfigName="mla-course-c")
