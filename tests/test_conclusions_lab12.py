"""Lab 12's conclusions hold on other names, drawn with seeds 1 and 2, and its "Your turn" checkers work.

The lab has no random step, so "another seed" here means other requests: seeded draws of account
IDs, job and object names, subnets, encryption headers and EC2 actions. Its Summary concludes that
(1) the draft trust policy lets SageMaker assume the role for any account's job, and the
confused-deputy conditions let it in only for our account; (2) the execution role's v3 denies every
one of the nine EC2 steps a job in a VPC needs, so an allowed job cannot start, and v4 allows them
without allowing other EC2 or S3 actions; (3) the data scientist's guard rails allow only jobs in the
VPC, isolated and encrypted with the project key, and without the `Null` check a job with no VPC
slips through; (4) the bucket refuses uploads not encrypted with KMS. The test runs the lab's own
code cells (not its "Your turn" cells or checks) and decides the drawn requests with them.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from labkit.iam import Request, evaluate, sagemaker_trust_policy, sagemaker_vpc_statement
from labkit.yourturn import lab12
from tests.conftest import REPO_ROOT

LAB = REPO_ROOT / "labs" / "12-least-privilege.ipynb"
SEEDS = (1, 2)
SKIP = ("labkit.yourturn", "lab12.check", "= None  #", "All checks passed")
OTHER_EC2 = ["ec2:RunInstances", "ec2:CreateSecurityGroup", "ec2:AuthorizeSecurityGroupIngress", "ec2:DeleteVpc",
             "ec2:CreateVpcEndpoint", "ec2:ModifyNetworkInterfaceAttribute"]


@pytest.fixture(scope="module")
def lab():
    cells = json.loads(LAB.read_text(encoding="utf-8"))["cells"]
    namespace: dict = {"__name__": "__lab12__", "display": lambda *args, **kwargs: None}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for cell in cells:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code" and not any(mark in source for mark in SKIP):
                exec(compile(source, str(LAB), "exec"), namespace)  # noqa: S102 - the course's own notebook
    return namespace


def _account(rng, not_this):
    while True:
        account = "".join(str(d) for d in rng.integers(0, 10, 12))
        if account != not_this and account[0] != "0":
            return account


def _name(rng, prefix="mla-course-"):
    return prefix + "".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz0123456789-"), 10))


@pytest.mark.parametrize("seed", SEEDS)
def test_the_trust_conditions_stop_other_accounts_and_keep_ours(lab, seed):
    rng = np.random.default_rng(seed)
    account, region, role = lab["ACCOUNT"], lab["REGION"], lab["EXEC_ROLE_ARN"]
    trust, draft = sagemaker_trust_policy(account, region), lab["TRUST_DRAFT"]
    for _ in range(30):
        kind = rng.choice(["training-job", "processing-job", "transform-job", "endpoint", "model"])
        ours = f"arn:aws:sagemaker:{region}:{account}:{kind}/{_name(rng)}"
        other_account = _account(rng, account)
        theirs = f"arn:aws:sagemaker:{region}:{other_account}:{kind}/{_name(rng)}"
        mine = Request("sagemaker.amazonaws.com", "sts:AssumeRole", role,
                       {"aws:SourceAccount": account, "aws:SourceArn": ours})
        foreign = Request("sagemaker.amazonaws.com", "sts:AssumeRole", role,
                          {"aws:SourceAccount": other_account, "aws:SourceArn": theirs})
        assert evaluate(mine, [], trust).allowed and evaluate(mine, [], draft).allowed
        assert evaluate(foreign, [], trust).outcome == "ImplicitDeny"
        assert evaluate(foreign, [], draft).allowed  # the confused deputy the draft lets through


@pytest.mark.parametrize("seed", SEEDS)
def test_v3_cannot_start_a_vpc_job_and_v4_can_without_granting_more(lab, seed):
    rng = np.random.default_rng(seed)
    v3, v4 = lab["exec_steps"]["v3 fix the mismatches"], lab["exec_steps"]["v4 add the VPC permissions"]
    role, account, region = lab["EXEC_ROLE_ARN"], lab["ACCOUNT"], lab["REGION"]
    for action in sagemaker_vpc_statement()["Action"]:
        eni = f"arn:aws:ec2:{region}:{account}:network-interface/eni-{rng.integers(16**8, 16**9):x}"
        resource = "*" if ":Describe" in action else eni
        assert evaluate(Request(role, action, resource), [v3]).outcome == "ImplicitDeny"
        assert evaluate(Request(role, action, resource), [v4]).allowed
    for action in rng.choice(OTHER_EC2, 3, replace=False):
        assert evaluate(Request(role, str(action), "*"), [v4]).outcome == "ImplicitDeny"
    tls = {"aws:SecureTransport": True}
    for _ in range(10):
        key = _name(rng, prefix="churn/" + str(rng.choice(["test/", "validation/", "raw/", ""])))
        outside = Request(role, "s3:GetObject", f"arn:aws:s3:::{lab['DATA_BUCKET']}/{key}", tls)
        inside = Request(role, "s3:GetObject", f"arn:aws:s3:::{lab['DATA_BUCKET']}/{lab['TRAIN_PREFIX']}{key}", tls)
        assert evaluate(outside, [v4]).outcome == "ImplicitDeny" and evaluate(inside, [v4]).allowed
    chain = lab["start_chain"]
    assert not all(d == "Allow" for d in chain(v3, sagemaker_trust_policy(account, region)).values())
    assert all(d == "Allow" for d in chain(v4, sagemaker_trust_policy(account, region)).values())


@pytest.mark.parametrize("seed", SEEDS)
def test_the_guard_rails_admit_only_vpc_isolated_encrypted_jobs(lab, seed):
    rng = np.random.default_rng(seed)
    policy, context_of, base = lab["DS_POLICY"], lab["training_job_context"], lab["training_job"]
    no_null = json.loads(json.dumps(policy))
    del no_null["Statement"][0]["Condition"]["Null"]
    for _ in range(15):
        name = _name(rng)
        job = base | {"TrainingJobName": name}
        arn = f"{lab['SM']}:training-job/{name}"
        other_subnet = f"subnet-{rng.integers(16**8, 16**9):x}"
        variants = {
            "compliant": (job, "Allow"),
            "another subnet": (job | {"VpcConfig": job["VpcConfig"] | {"Subnets": [other_subnet]}}, "ImplicitDeny"),
            "no isolation": (job | {"EnableNetworkIsolation": False}, "ImplicitDeny"),
            "no VPC": ({k: v for k, v in job.items() if k != "VpcConfig"}, "ImplicitDeny"),
        }
        for label, (request, expected) in variants.items():
            decision = evaluate(Request(lab["DS_ROLE_ARN"], "sagemaker:CreateTrainingJob", arn, context_of(request)),
                                [policy]).outcome
            assert decision == expected, (seed, label, decision)
        no_vpc = context_of(variants["no VPC"][0])
        assert evaluate(Request(lab["DS_ROLE_ARN"], "sagemaker:CreateTrainingJob", arn, no_vpc), [no_null]).allowed


@pytest.mark.parametrize("seed", SEEDS)
def test_the_bucket_refuses_uploads_not_encrypted_with_kms(lab, seed):
    rng = np.random.default_rng(seed)
    bucket, role_policy = lab["bucket_steps"]["v1 fixed"], lab["EXEC_ROLE"]
    for _ in range(10):
        key = f"arn:aws:s3:::{lab['ARTIFACT_BUCKET']}/{lab['ARTIFACT_PREFIX']}{_name(rng)}/model.tar.gz"
        header = str(rng.choice(["AES256", "aws:kms:dsse", "none", "aws:kms"]))
        context = {"aws:SecureTransport": True, "s3:x-amz-server-side-encryption": header}
        decision = evaluate(Request(lab["EXEC_ROLE_ARN"], "s3:PutObject", key, context), [role_policy], bucket).outcome
        assert decision == ("Allow" if header == "aws:kms" else "ExplicitDeny"), (seed, header, decision)
        plain = context | {"aws:SecureTransport": False}
        assert evaluate(Request(lab["EXEC_ROLE_ARN"], "s3:PutObject", key, plain), [role_policy],
                        bucket).outcome == "ExplicitDeny"


def test_the_your_turn_checkers(lab, capsys):
    v3 = lab["exec_steps"]["v3 fix the mismatches"]
    bucket, role_policy = lab["bucket_steps"]["v1 fixed"], lab["EXEC_ROLE"]
    assert lab12.check_aes_decision(None, role_policy, bucket) is False
    assert lab12.check_aes_decision("ExplicitDeny", role_policy, bucket) is True
    assert lab12.check_aes_decision("Allow", role_policy, bucket) is False
    assert lab12.check_aes_decision(object(), role_policy, bucket) is False
    assert lab12.check_trust_guess(None, lab["TRUST_DRAFT"], lab["EXEC_ROLE_ARN"]) is False
    assert lab12.check_trust_guess("Allow", lab["TRUST_DRAFT"], lab["EXEC_ROLE_ARN"]) is True
    assert lab12.check_trust_guess("ImplicitDeny", lab["TRUST_DRAFT"], lab["EXEC_ROLE_ARN"]) is False
    policy = lab["policy"]
    assert lab12.check_execution_role_with_vpc(None, v3, lab["EXEC_ROLE_ARN"]) is False
    assert lab12.check_execution_role_with_vpc(policy(sagemaker_vpc_statement()), v3, lab["EXEC_ROLE_ARN"]) is False
    assert lab12.check_execution_role_with_vpc(v3, v3, lab["EXEC_ROLE_ARN"]) is False
    v4 = policy(*v3["Statement"], sagemaker_vpc_statement())
    assert lab12.check_execution_role_with_vpc(v4, v3, lab["EXEC_ROLE_ARN"]) is True
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Not yet") and out[1].startswith("Correct") and out[-1].startswith("Correct")
