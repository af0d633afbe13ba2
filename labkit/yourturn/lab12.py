"""Self-checks of Lab 12's "Your turn" tasks whose expected value would give the answer away.

Each check prints one line that starts with ``Correct``, ``Not yet`` or ``Not quite`` and returns
True or False; it never raises on the learner's value (see ``labkit.yourturn``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from labkit.iam import Request, evaluate, sagemaker_vpc_statement
from labkit.yourturn import check_choice, check_true, check_value, not_written

__all__ = ["OUTCOMES", "check_aes_decision", "check_execution_role_with_vpc", "check_trust_guess"]

OUTCOMES = {
    "Allow": "an applicable Allow and no applicable Deny",
    "ImplicitDeny": "no applicable statement allows it",
    "ExplicitDeny": "an applicable Deny statement",
}
MODEL_KEY = "arn:aws:s3:::mla-course-artifacts/churn/mla-course-churn-xgb-001/output/model.tar.gz"
ROLE_ARN = "arn:aws:iam::111122223333:role/mla-course-training-role"


def check_aes_decision(value: object, execution_policy: Mapping[str, Any], bucket_policy: Mapping[str, Any]) -> bool:
    """Check `aes_decision`: the outcome of an upload that asks for SSE-S3 ("AES256") instead of KMS."""
    request = Request(ROLE_ARN, "s3:PutObject", MODEL_KEY,
                      {"aws:SecureTransport": True, "s3:x-amz-server-side-encryption": "AES256"})
    expected = evaluate(request, [execution_policy], bucket_policy).outcome
    if not not_written(value) and not isinstance(value, str):
        kind = type(value).__name__
        print(f"Not yet: `aes_decision` should be the outcome string (evaluate(...).outcome), got {kind}.")
        return False
    hint = "evaluate the first row's request with 'AES256' as its encryption header, then take .outcome."
    return check_value(value, expected, name="aes_decision", hint=hint)


def check_trust_guess(guess: str | None, trust_draft: Mapping[str, Any], role_arn: str) -> bool:
    """Check `trust_guess`: what the condition-less trust policy decides for another account's job."""
    job = "arn:aws:sagemaker:us-east-1:444455556666:training-job/mla-course-churn-xgb-001"
    request = Request("sagemaker.amazonaws.com", "sts:AssumeRole", role_arn,
                      {"aws:SourceAccount": "444455556666", "aws:SourceArn": job})
    correct = evaluate(request, [], trust_draft).outcome
    why = "The draft names the service and nothing else, so it trusts SageMaker whatever it acts for."
    return check_choice(guess, correct, name="trust_guess", options=OUTCOMES, why=why)


def check_execution_role_with_vpc(value: object, execution_v3: Mapping[str, Any], role_arn: str) -> bool:
    """Check `exec_v4`: v3's statements plus the VPC statement, so every network-interface step is allowed."""
    vpc = sagemaker_vpc_statement()

    def statements() -> list:
        return list(value["Statement"])  # type: ignore[index]

    def allowed(action: str) -> bool:
        resource = "*" if ":Describe" in action else "arn:aws:ec2:us-east-1:111122223333:network-interface/eni-1"
        return evaluate(Request(role_arn, action, resource), [value]).allowed  # type: ignore[list-item]

    return check_true(
        [
            (lambda: not not_written(value), "`exec_v4` is still the placeholder: write the line that builds it."),
            (lambda: isinstance(value, dict) and "Statement" in value,
             "`exec_v4` should be a policy document, as policy(...) returns."),
            (lambda: all(s in statements() for s in execution_v3["Statement"]),
             "some of v3's statements are missing: unpack them with *exec_steps[...]['Statement']."),
            (lambda: vpc in statements(), "the statement of sagemaker_vpc_statement() is missing."),
            (lambda: len(statements()) == len(execution_v3["Statement"]) + 1,
             "v4 should add exactly one statement to v3."),
            (lambda: all(allowed(action) for action in vpc["Action"]),
             "the role still cannot manage the job's network interfaces."),
        ],
        name="exec_v4",
        success="v4 keeps v3 and lets SageMaker create the job's network interfaces as the role.",
    )
