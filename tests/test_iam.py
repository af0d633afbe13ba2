"""labkit.iam: policy parsing errors, the least-privilege check and the teaching evaluator."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labkit.iam import (
    ConditionError,
    PolicyError,
    Request,
    actions_without_resource_types,
    evaluate,
    least_privilege_findings,
    parse_policy,
    sagemaker_trust_policy,
    sagemaker_vpc_statement,
)

ROLE = "arn:aws:iam::111122223333:role/mla-course-training-role"
BUCKET = "arn:aws:s3:::mla-course-artifacts"


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions, resources, condition=None, sid=None):
    statement = {"Effect": "Allow", "Action": actions, "Resource": resources}
    if condition:
        statement["Condition"] = condition
    if sid:
        statement["Sid"] = sid
    return statement


def rules(document):
    return sorted(f.rule for f in least_privilege_findings(document))


# --- parsing ---------------------------------------------------------------------------------


def test_parses_a_single_statement_object_and_normalises_values():
    parsed = parse_policy(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": {
                    "Effect": "Deny",
                    "Principal": {"AWS": [ROLE]},
                    "Action": "s3:*",
                    "Resource": BUCKET,
                    "Condition": {"Bool": {"aws:SecureTransport": False}},
                },
            }
        )
    )
    (statement,) = parsed.statements
    assert statement.sid == "#1"
    assert statement.actions == ("s3:*",)
    assert statement.principals == (ROLE,)
    assert statement.conditions[0].values == ("false",)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ('{"Version": "2012-10-17", "Statement": [', "not valid JSON (line 1"),
        ("[1, 2]", "must be a JSON object"),
        ({"Statement": [allow("s3:GetObject", BUCKET + "/*")]}, 'no "Version"'),
        ({"Version": "2024-01-01", "Statement": [allow("s3:GetObject", "*")]}, "unknown Version"),
        ({"Version": "2012-10-17"}, 'no "Statement"'),
        ({"Version": "2012-10-17", "Statement": []}, "non-empty list"),
        (policy({"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}), "Effect must be 'Allow' or 'Deny'"),
        (policy({"Effect": "Permit", "Action": "s3:GetObject", "Resource": "*"}), "got 'Permit'"),
        (policy({"Effect": "Allow", "Actions": ["s3:GetObject"], "Resource": "*"}), "unknown element(s) ['Actions']"),
        (policy({"Effect": "Allow", "Resource": "*"}), "exactly one of 'Action' and 'NotAction'"),
        (policy({"Effect": "Allow", "Action": "s3:GetObject"}), "exactly one of 'Resource' and 'NotResource'"),
        (policy({"Effect": "Allow", "Action": "s3:GetObject", "NotAction": "s3:Put*", "Resource": "*"}), "exactly one"),
        (policy(allow("GetObject", "*")), "needs a service prefix"),
        (policy(allow(["s3:GetObject", 3], "*")), "list of non-empty strings"),
        (policy(allow("s3:GetObject", "*", condition={"Bool": "aws:SecureTransport"})), "must map to an object"),
        (policy(allow("s3:GetObject", "*", condition=["Bool"])), "Condition must be an object"),
        (policy(allow("s3:GetObject", "*", sid="A"), allow("s3:PutObject", "*", sid="A")), "duplicate Sid ['A']"),
        (policy({"Effect": "Deny", "NotPrincipal": {"AWS": ROLE}, "Action": "s3:*", "Resource": "*"}), "NotPrincipal"),
        (policy({"Effect": "Deny", "Principal": "everyone", "Action": "s3:*", "Resource": "*"}), "Principal must be"),
        (policy("not a statement"), "must be an object"),
    ],
)
def test_malformed_policies_raise_a_clear_error(document, message):
    with pytest.raises(PolicyError) as raised:
        parse_policy(document)
    assert message in str(raised.value)


def test_policy_error_is_a_value_error():
    assert issubclass(PolicyError, ValueError) and issubclass(ConditionError, ValueError)


# --- least privilege -------------------------------------------------------------------------


def test_broad_policy_fails_every_rule_it_breaks():
    broad = policy(allow("sagemaker:*", "*"), allow("iam:PassRole", "*"))
    assert rules(broad) == [
        "PASSROLE_ANY_SERVICE",
        "PASSROLE_UNSCOPED",
        "WILDCARD_ACTION",
        "WILDCARD_RESOURCE",
        "WILDCARD_RESOURCE",
    ]


def test_narrow_policy_passes():
    narrow = policy(
        allow("s3:GetObject", "arn:aws:s3:::mla-course-data/churn/train/*"),
        allow("ecr:GetAuthorizationToken", "*"),
        allow("cloudwatch:PutMetricData", "*"),
        allow("iam:PassRole", ROLE, {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}),
    )
    assert least_privilege_findings(narrow) == []


def test_resource_star_is_flagged_only_for_actions_that_take_an_arn():
    assert rules(policy(allow("s3:GetObject", "*"))) == ["WILDCARD_RESOURCE"]
    assert rules(policy(allow("s3:GetObject", "arn:aws:s3:::*"))) == ["WILDCARD_RESOURCE"]
    assert rules(policy(allow("ecr:GetAuthorizationToken", "*"))) == []
    custom = least_privilege_findings(policy(allow("s3:GetObject", "*")), resource_star_actions=["S3:GetObject"])
    assert custom == []


def test_passrole_needs_a_named_role_and_a_service():
    assert rules(policy(allow("iam:PassRole", ROLE))) == ["PASSROLE_ANY_SERVICE"]
    wildcard_role = "arn:aws:iam::111122223333:role/*"
    condition = {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}
    assert rules(policy(allow("iam:PassRole", wildcard_role, condition))) == ["PASSROLE_UNSCOPED"]
    negated = {"StringNotEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}
    assert rules(policy(allow("iam:PassRole", ROLE, negated))) == ["PASSROLE_ANY_SERVICE"]
    assert "PASSROLE_UNSCOPED" in rules(policy(allow("iam:Pass*", "*")))


def test_not_action_and_not_resource_allows_are_flagged_and_denies_are_ignored():
    document = policy(
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": BUCKET},
        {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": BUCKET + "/secret/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"},
    )
    found = rules(document)
    assert "NOT_ACTION_ALLOW" in found and "NOT_RESOURCE_ALLOW" in found
    assert all(f.sid != "#3" for f in least_privilege_findings(document))


def test_actions_without_resource_types_come_from_the_linter_database():
    actions = actions_without_resource_types()
    assert {"ecr:getauthorizationtoken", "cloudwatch:putmetricdata"} <= actions
    assert "s3:getobject" not in actions and "iam:passrole" not in actions


# --- evaluation ------------------------------------------------------------------------------


IDENTITY = policy(allow("s3:PutObject", BUCKET + "/churn/*", sid="WriteArtifacts"))
BUCKET_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyWithoutTls",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [BUCKET, BUCKET + "/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "DenyNotKms",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:PutObject",
            "Resource": BUCKET + "/*",
            "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}},
        },
        {
            "Sid": "AnalystReadsPublic",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:role/analyst"},
            "Action": "s3:GetObject",
            "Resource": BUCKET + "/public/*",
        },
    ],
}


def put(context):
    return Request(ROLE, "s3:PutObject", BUCKET + "/churn/model.tar.gz", context)


def test_allow_needs_an_applicable_allow_and_no_deny():
    decision = evaluate(put({"aws:SecureTransport": True, "s3:x-amz-server-side-encryption": "aws:kms"}), [IDENTITY])
    assert decision.allowed and decision.statements == ("WriteArtifacts",)


def test_explicit_deny_overrides_the_identity_allow():
    decision = evaluate(
        put({"aws:SecureTransport": False, "s3:x-amz-server-side-encryption": "aws:kms"}), [IDENTITY], BUCKET_POLICY
    )
    assert decision.outcome == "ExplicitDeny" and decision.statements == ("DenyWithoutTls",)


def test_a_negated_operator_matches_a_missing_key():
    decision = evaluate(put({"aws:SecureTransport": True}), [IDENTITY], BUCKET_POLICY)
    assert decision.outcome == "ExplicitDeny" and decision.statements == ("DenyNotKms",)


def test_implicit_deny_when_nothing_allows():
    request = Request(ROLE, "s3:GetObject", BUCKET + "/churn/model.tar.gz", {"aws:SecureTransport": True})
    assert evaluate(request, [IDENTITY], BUCKET_POLICY).outcome == "ImplicitDeny"


def test_the_resource_policy_alone_can_allow_its_named_principal():
    analyst = "arn:aws:iam::111122223333:role/analyst"
    request = Request(analyst, "s3:GetObject", BUCKET + "/public/a.csv", {"aws:SecureTransport": True})
    assert evaluate(request, [], BUCKET_POLICY).statements == ("AnalystReadsPublic",)
    assert evaluate(Request(ROLE, request.action, request.resource, request.context), [], BUCKET_POLICY).outcome == (
        "ImplicitDeny"
    )


def test_action_match_ignores_case_and_resource_match_does_not():
    document = policy(allow("S3:get*", BUCKET + "/Churn/*"))
    assert evaluate(Request(ROLE, "s3:GetObject", BUCKET + "/Churn/a"), [document]).allowed
    assert not evaluate(Request(ROLE, "s3:GetObject", BUCKET + "/churn/a"), [document]).allowed


def test_not_action_and_not_resource_select_everything_else():
    document = policy({"Effect": "Allow", "NotAction": "s3:Delete*", "NotResource": BUCKET + "/secret/*"})
    assert evaluate(Request(ROLE, "s3:GetObject", BUCKET + "/a"), [document]).allowed
    assert not evaluate(Request(ROLE, "s3:DeleteObject", BUCKET + "/a"), [document]).allowed
    assert not evaluate(Request(ROLE, "s3:GetObject", BUCKET + "/secret/a"), [document]).allowed


SUBNET = "subnet-0a1b2c3d4e5f60718"


@pytest.mark.parametrize(
    ("condition", "context", "expected"),
    [
        ({"ForAllValues:StringEquals": {"sagemaker:VpcSubnets": [SUBNET]}}, {}, True),
        ({"ForAllValues:StringEquals": {"sagemaker:VpcSubnets": [SUBNET]}}, {"sagemaker:VpcSubnets": [SUBNET]}, True),
        (
            {"ForAllValues:StringEquals": {"sagemaker:VpcSubnets": [SUBNET]}},
            {"sagemaker:VpcSubnets": [SUBNET, "x"]},
            False,
        ),
        ({"ForAnyValue:StringEquals": {"sagemaker:VpcSubnets": [SUBNET]}}, {}, False),
        (
            {"ForAnyValue:StringLike": {"sagemaker:VpcSubnets": ["subnet-0a*"]}},
            {"sagemaker:VpcSubnets": ["x", SUBNET]},
            True,
        ),
        ({"Null": {"sagemaker:VpcSubnets": "false"}}, {}, False),
        ({"Null": {"sagemaker:VpcSubnets": "true"}}, {}, True),
        ({"Bool": {"sagemaker:NetworkIsolation": "true"}}, {"sagemaker:NetworkIsolation": True}, True),
        ({"Bool": {"sagemaker:NetworkIsolation": "true"}}, {"sagemaker:NetworkIsolation": False}, False),
        ({"Bool": {"sagemaker:NetworkIsolation": "true"}}, {}, False),
        (
            {"ArnLike": {"sagemaker:VolumeKmsKey": "arn:aws:kms:*:111122223333:key/*"}},
            {"sagemaker:VolumeKmsKey": "arn:aws:kms:us-east-1:111122223333:key/k"},
            True,
        ),
        ({"StringEqualsIgnoreCase": {"aws:RequestTag/team": "ML"}}, {"aws:requesttag/team": "ml"}, True),
        ({"StringNotLike": {"s3:prefix": "churn/*"}}, {"s3:prefix": "churn/train/"}, False),
    ],
)
def test_conditions(condition, context, expected):
    document = policy(allow("sagemaker:CreateTrainingJob", "*", condition))
    request = Request(
        ROLE, "sagemaker:CreateTrainingJob", "arn:aws:sagemaker:us-east-1:111122223333:training-job/j", context
    )
    assert evaluate(request, [document]).allowed is expected


def test_unsupported_conditions_raise_clear_errors():
    request = Request(ROLE, "s3:GetObject", BUCKET + "/a", {"s3:max-keys": "5", "sagemaker:VpcSubnets": [SUBNET]})
    with pytest.raises(ConditionError, match="not supported by this teaching evaluator"):
        evaluate(request, [policy(allow("s3:GetObject", "*", {"NumericLessThan": {"s3:max-keys": "10"}}))])
    with pytest.raises(ConditionError, match="use ForAllValues:StringEquals or ForAnyValue:StringEquals"):
        evaluate(request, [policy(allow("s3:GetObject", "*", {"StringEquals": {"sagemaker:VpcSubnets": SUBNET}}))])
    with pytest.raises(ConditionError, match="unknown set qualifier"):
        evaluate(request, [policy(allow("s3:GetObject", "*", {"ForEvery:StringEquals": {"s3:x": "y"}}))])


def test_policy_kinds_and_requests_are_checked():
    with pytest.raises(PolicyError, match="has a Principal"):
        evaluate(put({}), [BUCKET_POLICY])
    with pytest.raises(PolicyError, match="needs a Principal"):
        evaluate(put({}), [], IDENTITY)
    with pytest.raises(ValueError, match="service:Action"):
        Request(ROLE, "GetObject", BUCKET)
    with pytest.raises(ValueError, match="resource must be a non-empty string"):
        Request(ROLE, "s3:GetObject", "")


@settings(deadline=None, max_examples=50)
@given(
    action=st.sampled_from(["s3:GetObject", "s3:PutObject", "sagemaker:CreateTrainingJob", "iam:PassRole"]),
    secure=st.booleans(),
)
def test_a_matching_deny_always_wins(action, secure):
    allow_all = policy(allow("*", "*"))
    deny_all = policy({"Effect": "Deny", "Action": "*", "Resource": "*"})
    request = Request(ROLE, action, BUCKET + "/a", {"aws:SecureTransport": secure})
    assert evaluate(request, [allow_all]).allowed
    assert evaluate(request, [allow_all, deny_all]).outcome == "ExplicitDeny"


# ---------------------------------------------------------------- trust policies and the SageMaker documents


def assume(account, source_account=None, source_arn=None):
    context = {}
    if source_account is not None:
        context["aws:SourceAccount"] = source_account
    if source_arn is not None:
        context["aws:SourceArn"] = source_arn
    return Request("sagemaker.amazonaws.com", "sts:AssumeRole", f"arn:aws:iam::{account}:role/mla-course-x", context)


def test_a_trust_policy_statement_names_no_resource_and_applies_to_its_role():
    trust = sagemaker_trust_policy("111122223333", "us-east-1")
    parsed = parse_policy(trust)
    assert parsed.statements[0].resources == () and parsed.statements[0].principals == ("sagemaker.amazonaws.com",)
    own_job = "arn:aws:sagemaker:us-east-1:111122223333:training-job/mla-course-a"
    assert evaluate(assume("111122223333", "111122223333", own_job), [], trust).allowed
    # The confused deputy: SageMaker acting for another account's job, or with no source at all.
    other_job = "arn:aws:sagemaker:us-east-1:444455556666:training-job/mla-course-a"
    assert evaluate(assume("111122223333", "444455556666", other_job), [], trust).outcome == "ImplicitDeny"
    assert evaluate(assume("111122223333", "111122223333", other_job), [], trust).outcome == "ImplicitDeny"
    assert evaluate(assume("111122223333"), [], trust).outcome == "ImplicitDeny"
    other_region = "arn:aws:sagemaker:eu-west-1:111122223333:training-job/mla-course-a"
    assert evaluate(assume("111122223333", "111122223333", other_region), [], trust).outcome == "ImplicitDeny"
    # Without the conditions, the same trust policy lets any source through.
    bare = json.loads(json.dumps(trust))
    del bare["Statement"][0]["Condition"]
    assert evaluate(assume("111122223333", "444455556666", other_job), [], bare).allowed
    # A statement without Principal still needs a Resource, and a trust policy is not an identity policy.
    with pytest.raises(PolicyError, match="exactly one of 'Resource' and 'NotResource'"):
        parse_policy(policy({"Effect": "Allow", "Action": "sts:AssumeRole"}))
    with pytest.raises(PolicyError, match="has a Principal"):
        evaluate(assume("111122223333"), [trust])
    assert least_privilege_findings(trust) == []


def test_sagemaker_trust_policy_rejects_bad_names():
    for account in ("1111", 111122223333, "11112222333a"):
        with pytest.raises(ValueError, match="12-digit"):
            sagemaker_trust_policy(account, "us-east-1")
    for region in ("us_east_1", "US-EAST-1", "", None):
        with pytest.raises(ValueError, match="Region code"):
            sagemaker_trust_policy("111122223333", region)


def test_the_vpc_statement_lets_the_role_manage_network_interfaces_and_nothing_else():
    statement = sagemaker_vpc_statement()
    assert len(statement["Action"]) == 9 and all(a.startswith("ec2:") for a in statement["Action"])
    document = policy(statement)
    for action in statement["Action"]:
        assert evaluate(Request(ROLE, action, "*"), [document]).allowed
    for action in ("ec2:RunInstances", "ec2:AuthorizeSecurityGroupIngress", "s3:GetObject"):
        assert evaluate(Request(ROLE, action, "*"), [document]).outcome == "ImplicitDeny"
    # On Resource "*", as AWS lists them: the create/delete actions take ARNs, so the check flags it.
    findings = least_privilege_findings(document)
    assert [f.rule for f in findings] == ["WILDCARD_RESOURCE"] and findings[0].sid == "LetSageMakerReachTheVpc"
    assert "ec2:CreateNetworkInterface" in findings[0].detail
    assert sagemaker_vpc_statement("Other")["Sid"] == "Other"

