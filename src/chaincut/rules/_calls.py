"""The collector calls rules read from, with the IAM permission each needs.

Names follow the coverage gaps ``chaincut.collect`` records (botocore service
name, API operation), so a rule can ask whether its data has a hole. The
permission is the IAM action that authorizes the call (which is not always
the operation's name: ``ListBuckets`` is ``s3:ListAllMyBuckets``).
"""

from __future__ import annotations

from chaincut.rules._core import CollectorCall

IAM_DETAILS = CollectorCall(
    "iam", "GetAccountAuthorizationDetails", "iam:GetAccountAuthorizationDetails"
)
IAM_ACCESS_KEYS = CollectorCall("iam", "ListAccessKeys", "iam:ListAccessKeys")
IAM_KEY_LAST_USED = CollectorCall(
    "iam", "GetAccessKeyLastUsed", "iam:GetAccessKeyLastUsed"
)

BEANSTALK_ENVIRONMENTS = CollectorCall(
    "elasticbeanstalk", "DescribeEnvironments", "elasticbeanstalk:DescribeEnvironments"
)
BEANSTALK_SETTINGS = CollectorCall(
    "elasticbeanstalk",
    "DescribeConfigurationSettings",
    "elasticbeanstalk:DescribeConfigurationSettings",
)

SECRETS_LIST = CollectorCall(
    "secretsmanager", "ListSecrets", "secretsmanager:ListSecrets"
)
SECRETS_POLICY = CollectorCall(
    "secretsmanager", "GetResourcePolicy", "secretsmanager:GetResourcePolicy"
)

TRAILS = CollectorCall("cloudtrail", "DescribeTrails", "cloudtrail:DescribeTrails")
TRAIL_STATUS = CollectorCall(
    "cloudtrail", "GetTrailStatus", "cloudtrail:GetTrailStatus"
)
TRAIL_SELECTORS = CollectorCall(
    "cloudtrail", "GetEventSelectors", "cloudtrail:GetEventSelectors"
)

BUCKETS = CollectorCall("s3", "ListBuckets", "s3:ListAllMyBuckets")
BUCKET_POLICY = CollectorCall("s3", "GetBucketPolicy", "s3:GetBucketPolicy")
BUCKET_PUBLIC_ACCESS = CollectorCall(
    "s3", "GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock"
)

METRIC_FILTERS = CollectorCall(
    "logs", "DescribeMetricFilters", "logs:DescribeMetricFilters"
)
ALARMS = CollectorCall("cloudwatch", "DescribeAlarms", "cloudwatch:DescribeAlarms")
TOPICS = CollectorCall("sns", "ListTopics", "sns:ListTopics")
SUBSCRIPTIONS = CollectorCall(
    "sns", "ListSubscriptionsByTopic", "sns:ListSubscriptionsByTopic"
)

LAMBDA_FUNCTIONS = CollectorCall("lambda", "ListFunctions", "lambda:ListFunctions")
SSM_PARAMETERS = CollectorCall("ssm", "DescribeParameters", "ssm:DescribeParameters")
SSM_VALUES = CollectorCall("ssm", "GetParameters", "ssm:GetParameters")
