"""Expands template.yaml with the AWS SAM translator, offline, as CloudFormation would.

cfn-lint checks the SAM resources against SAM's schemas; this second pass runs the real
`AWS::Serverless-2016-10-31` transform (aws-sam-translator, the library behind `sam build`
and CloudFormation's transform) so that what SAM itself rejects -- an unsupported intrinsic
in Globals, a malformed event source -- fails here and not at `sam deploy`. Managed policies
are resolved from a fixed table, so no AWS call is made.

Usage: python sam_translate.py template.yaml [expanded.json]
"""

from __future__ import annotations

import json
import sys

import boto3

from cfnlint.decode import decode
from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

# The managed policies SAM attaches on its own for this template's features (basic execution,
# VPC access, MQ event source). The ARNs only need to be well formed for the translation.
MANAGED_POLICIES = {
    name: f"arn:aws:iam::aws:policy/service-role/{name}"
    for name in (
        "AWSLambdaBasicExecutionRole",
        "AWSLambdaVPCAccessExecutionRole",
        "AWSXrayWriteOnlyAccess",
        "AWSLambdaRole",
    )
}


class StaticPolicyLoader:
    def load(self) -> dict[str, str]:
        return MANAGED_POLICIES


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    template, matches = decode(sys.argv[1])
    if matches or template is None:
        for match in matches:
            print(match, file=sys.stderr)
        return 1
    # What `sam package` does before the transform runs: local code paths become S3 URIs.
    for resource in template.get("Resources", {}).values():
        props = resource.get("Properties", {}) if isinstance(resource, dict) else {}
        if resource.get("Type") == "AWS::Serverless::Function":
            code = props.get("CodeUri")
            if isinstance(code, str) and not code.startswith("s3://"):
                props["CodeUri"] = "s3://bilheteria-artifacts/placeholder.zip"
        elif resource.get("Type") == "AWS::Serverless::LayerVersion":
            content = props.get("ContentUri")
            if isinstance(content, str) and not content.startswith("s3://"):
                props["ContentUri"] = "s3://bilheteria-artifacts/placeholder.zip"
    parameter_values = {
        "AWS::Region": "us-east-1",
        "AWS::AccountId": "123456789012",
        "AWS::Partition": "aws",
        "AWS::StackName": "bilheteria",
        "AWS::StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/bilheteria/x",
        "AWS::URLSuffix": "amazonaws.com",
        "AWS::NotificationARNs": [],
    }
    session = boto3.session.Session(region_name="us-east-1")
    translator = Translator(StaticPolicyLoader(), Parser(), boto_session=session)
    try:
        expanded = translator.translate(sam_template=template, parameter_values=parameter_values)
    except InvalidDocumentException as exc:
        for cause in exc.causes:
            print(f"SAM: {cause.message}", file=sys.stderr)
        return 1
    resources = expanded.get("Resources", {})
    kinds: dict[str, int] = {}
    for resource in resources.values():
        kinds[resource["Type"]] = kinds.get(resource["Type"], 0) + 1
    print(f"SAM transform: {len(resources)} CloudFormation resources")
    for kind, count in sorted(kinds.items()):
        print(f"  {count:3d} {kind}")
    if len(sys.argv) == 3:
        with open(sys.argv[2], "w", encoding="utf-8") as out:
            json.dump(expanded, out, indent=2, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
