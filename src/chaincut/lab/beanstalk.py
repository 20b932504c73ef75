"""Elastic Beanstalk for the lab: what moto 5.2.5 lacks for the chain.

moto drops the option settings given to ``CreateEnvironment`` and has no
``DescribeConfigurationSettings``, ``UpdateEnvironment``,
``DescribeConfigurationOptions``, ``DescribeEvents`` or
``TerminateEnvironment``. The attack starts by reading an environment's
settings, and the defence ends by rewriting them, so the lab needs all of
these in the shapes botocore expects.

The operations are added as methods of moto's own response class: moto's
request dispatch and its authentication checks then apply to them exactly as
to the built-in ones. State lives on moto's own model objects, so a lab reset
clears it with everything else.

Limits:
- Only the environment-variable namespaces and a handful of platform options
  are described by ``DescribeConfigurationOptions``; real Beanstalk lists
  hundreds. Option values are not validated against a platform.
- Saved configuration templates (``TemplateName``) and application versions
  are not modelled: requests naming a template get an ``InvalidParameterValue``.
- ``TerminateEnvironment`` finishes at once (status ``Terminated``); terminated
  environments are listed only with ``IncludeDeleted``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from moto.core.responses import ActionResult
from moto.elasticbeanstalk.exceptions import InvalidParameterValueError
from moto.elasticbeanstalk.models import Application, EBBackend, Environment
from moto.elasticbeanstalk.responses import EBResponse

from chaincut.lab._patch import once

ENVIRONMENT_NAMESPACE = "aws:elasticbeanstalk:application:environment"
SECRETS_NAMESPACE = "aws:elasticbeanstalk:application:environmentsecrets"

# Options that every environment reports, with the value a new environment
# gets when its creator does not set one. Enough for the posture checks on
# roles, health and platform updates to see a realistic default.
_PLATFORM_DEFAULTS: tuple[tuple[str, str, str], ...] = (
    ("aws:autoscaling:launchconfiguration", "IamInstanceProfile", ""),
    ("aws:elasticbeanstalk:environment", "ServiceRole", ""),
    ("aws:elasticbeanstalk:environment", "EnvironmentType", "LoadBalanced"),
    ("aws:elasticbeanstalk:healthreporting:system", "SystemType", "basic"),
    ("aws:elasticbeanstalk:managedactions", "ManagedActionsEnabled", "false"),
    ("aws:elasticbeanstalk:cloudwatch:logs", "StreamLogs", "false"),
)


@once
def install() -> None:
    """Add the missing operations to moto's Beanstalk; safe to call twice."""
    original_create_environment = EBResponse.create_environment
    original_create_application = EBResponse.create_application

    def create_environment(self: EBResponse) -> ActionResult:
        result = original_create_environment(self)
        env = _find_environment(self, self._get_param("EnvironmentName"))
        _initialise_environment(self, env)
        return result

    def create_application(self: EBResponse) -> ActionResult:
        result = original_create_application(self)
        app = _backend(self).applications[self._get_param("ApplicationName")]
        vars(app)["lab_tags"] = {
            t["Key"]: t["Value"] for t in self._get_param("Tags", [])
        }
        return result

    methods = {
        "create_environment": create_environment,
        "create_application": create_application,
        "describe_environments": _describe_environments,
        "describe_configuration_settings": _describe_configuration_settings,
        "update_environment": _update_environment,
        "describe_configuration_options": _describe_configuration_options,
        "describe_events": _describe_events,
        "terminate_environment": _terminate_environment,
        "list_tags_for_resource": _list_tags_for_resource,
    }
    for name, method in methods.items():
        setattr(EBResponse, name, method)


def _backend(response: EBResponse) -> EBBackend:
    return response.elasticbeanstalk_backend


def _options(env: Environment) -> dict[tuple[str, str], str]:
    """The environment's option settings, kept on moto's own object."""
    store: dict[tuple[str, str], str] = vars(env).setdefault("lab_options", {})
    return store


def _events(backend: EBBackend) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = vars(backend).setdefault("lab_events", [])
    return events


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _find_environment(
    response: EBResponse, name: str | None, env_id: str | None = None
) -> Environment:
    for app in _backend(response).applications.values():
        for env in app.environments.values():
            if env.environment_name == name or (
                env_id and env.environment_id == env_id
            ):
                return env
    wanted = name or env_id
    raise InvalidParameterValueError(
        f"No Environment found for EnvironmentName = '{wanted}'."
    )


def _initialise_environment(response: EBResponse, env: Environment) -> None:
    env.environment_id = "e-" + secrets.token_hex(5)
    env.solution_stack_name = response._get_param("SolutionStackName") or ""
    env.cname = f"{env.environment_name}.{env.region}.elasticbeanstalk.com"
    env.endpoint_url = env.cname
    env.status = "Ready"
    env.health = "Green"
    _options(env).update(
        ((namespace, name), value) for namespace, name, value in _PLATFORM_DEFAULTS
    )
    _apply_option_settings(env, response._get_param("OptionSettings", []), [])
    _record_event(response, env, "createEnvironment is starting.")
    _record_event(response, env, "createEnvironment completed successfully.")


def _apply_option_settings(
    env: Environment,
    settings: list[dict[str, str]],
    to_remove: list[dict[str, str]],
) -> None:
    store = _options(env)
    for option in to_remove:
        store.pop((option["Namespace"], option["OptionName"]), None)
    for option in settings:
        if "Namespace" not in option or "OptionName" not in option:
            raise InvalidParameterValueError(
                "Each option setting needs a Namespace and an OptionName."
            )
        store[(option["Namespace"], option["OptionName"])] = option.get("Value", "")
    env.date_updated = _now()


def _record_event(response: EBResponse, env: Environment, message: str) -> None:
    # No RequestId field: moto's serializer takes any RequestId in a result for
    # the response metadata's own and writes broken XML.
    _events(_backend(response)).append(
        {
            "EventDate": _now(),
            "Message": message,
            "ApplicationName": env.application_name,
            "EnvironmentName": env.environment_name,
            "Severity": "INFO",
        }
    )


def _visible(env: Environment, include_deleted: bool) -> bool:
    return include_deleted or env.status != "Terminated"


def _describe_environments(self: EBResponse) -> ActionResult:
    names = set(self._get_param("EnvironmentNames", []) or [])
    ids = set(self._get_param("EnvironmentIds", []) or [])
    application = self._get_param("ApplicationName")
    include_deleted = str(self._get_param("IncludeDeleted", "false")).lower() == "true"
    envs = [
        env
        for env in _backend(self).describe_environments()
        if (not names or env.environment_name in names)
        and (not ids or env.environment_id in ids)
        and (not application or env.application_name == application)
        and _visible(env, include_deleted)
    ]
    return ActionResult({"Environments": envs})


def _settings_of(env: Environment) -> list[dict[str, str]]:
    settings = []
    for (namespace, name), value in sorted(_options(env).items()):
        option = {"Namespace": namespace, "OptionName": name, "Value": value}
        if namespace == "aws:autoscaling:launchconfiguration":
            option["ResourceName"] = "AWSEBAutoScalingLaunchConfiguration"
        settings.append(option)
    return settings


def _describe_configuration_settings(self: EBResponse) -> ActionResult:
    application = self._get_param("ApplicationName")
    if self._get_param("TemplateName"):
        raise InvalidParameterValueError("The lab does not model saved templates.")
    env = _find_environment(self, self._get_param("EnvironmentName"))
    if env.application_name != application:
        raise InvalidParameterValueError(
            f"No Environment found for EnvironmentName = '{env.environment_name}'"
            f" in application '{application}'."
        )
    description = {
        "SolutionStackName": env.solution_stack_name,
        "ApplicationName": env.application_name,
        "EnvironmentName": env.environment_name,
        "DeploymentStatus": "deployed",
        "DateCreated": env.date_created,
        "DateUpdated": env.date_updated,
        "OptionSettings": _settings_of(env),
    }
    return ActionResult({"ConfigurationSettings": [description]})


def _update_environment(self: EBResponse) -> ActionResult:
    if self._get_param("TemplateName"):
        raise InvalidParameterValueError("The lab does not model saved templates.")
    env = _find_environment(
        self, self._get_param("EnvironmentName"), self._get_param("EnvironmentId")
    )
    if env.status == "Terminated":
        raise InvalidParameterValueError(
            f"Environment '{env.environment_name}' is terminated; it cannot be updated."
        )
    _apply_option_settings(
        env,
        self._get_param("OptionSettings", []) or [],
        self._get_param("OptionsToRemove", []) or [],
    )
    if self._get_param("Description"):
        vars(env)["description"] = self._get_param("Description")
    _record_event(self, env, "Environment update is starting.")
    _record_event(self, env, "Environment update completed successfully.")
    return ActionResult(env)


def _describe_configuration_options(self: EBResponse) -> ActionResult:
    options: list[dict[str, Any]] = [
        {
            "Namespace": namespace,
            "Name": name,
            "DefaultValue": default,
            "ChangeSeverity": "NoInterruption",
            "UserDefined": False,
            "ValueType": "Scalar",
        }
        for namespace, name, default in _PLATFORM_DEFAULTS
    ]
    name = self._get_param("EnvironmentName")
    if name:
        env = _find_environment(self, name)
        for namespace, option_name in sorted(_options(env)):
            if namespace in (ENVIRONMENT_NAMESPACE, SECRETS_NAMESPACE):
                options.append(
                    {
                        "Namespace": namespace,
                        "Name": option_name,
                        "ChangeSeverity": "RestartApplicationServer",
                        "UserDefined": True,
                        "ValueType": "Scalar",
                        "MaxLength": 4096,
                    }
                )
        stack = env.solution_stack_name
    else:
        stack = self._get_param("SolutionStackName") or ""
    return ActionResult({"SolutionStackName": stack, "Options": options})


def _describe_events(self: EBResponse) -> ActionResult:
    events = list(_events(_backend(self)))
    for field in ("ApplicationName", "EnvironmentName", "Severity"):
        wanted = self._get_param(field)
        if wanted:
            events = [event for event in events if event.get(field) == wanted]
    events.sort(key=lambda event: event["EventDate"], reverse=True)
    limit = int(self._get_param("MaxRecords") or 1000)
    return ActionResult({"Events": events[:limit]})


def _terminate_environment(self: EBResponse) -> ActionResult:
    env = _find_environment(
        self, self._get_param("EnvironmentName"), self._get_param("EnvironmentId")
    )
    env.status = "Terminated"
    env.health = "Grey"
    env.date_updated = _now()
    _record_event(self, env, "terminateEnvironment completed successfully.")
    return ActionResult(env)


def _list_tags_for_resource(self: EBResponse) -> ActionResult:
    arn = self._get_param("ResourceArn")
    app: Application | None = next(
        (a for a in _backend(self).applications.values() if a.arn == arn), None
    )
    if app is not None:
        tags = vars(app).get("lab_tags", {})
    else:
        tags = _backend(self).list_tags_for_resource(arn)
    return ActionResult(
        {
            "ResourceArn": arn,
            "ResourceTags": [{"Key": k, "Value": v} for k, v in tags.items()],
        }
    )
