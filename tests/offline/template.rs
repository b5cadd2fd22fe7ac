//! The CloudFormation template, read as CloudFormation would: parameters, resources, IAM
//! scope, environment names and outputs. (cfn-lint and checkov run in `cargo xtask ci`.)

use fsx_drt::params::{Param, LOG_RETENTION_DAYS};
use fsx_drt::schedule::Schedule;
use fsx_drt::template::{
    render_for, template_json, CAPACITY_RELEASE, CODE_BUCKET, CODE_KEY, COMPLETION_REPORT_OBJECTS,
    FREE_CAPACITY_ALARM_BYTES, MAXIMUM_EVENT_AGE, MAX_DEFER_MINUTES, PERMISSIONS_BOUNDARY,
    TIMEZONE,
};
use fsx_drt_core::{env, followup, metrics, TaskType};
use serde_json::{json, Value};

fn template() -> Value {
    template_json()
}

fn resources_of(t: &Value, kind: &str) -> Vec<(String, Value)> {
    t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .map(|(id, r)| (id.clone(), r.clone()))
        .collect()
}

/// The alarms that notify the topic: all but the capacity alarm, whose action is a release.
fn topic_alarms(t: &Value) -> Vec<(String, Value)> {
    let mut alarms = resources_of(t, "AWS::CloudWatch::Alarm");
    alarms.retain(|(_, a)| a["Condition"] != CAPACITY_CONDITION);
    alarms
}

const CAPACITY_CONDITION: &str = "HasCapacityAlarm";

fn one_of(t: &Value, kind: &str) -> (String, Value) {
    let found = resources_of(t, kind);
    assert_eq!(found.len(), 1, "expected one {kind}");
    found.into_iter().next().unwrap()
}

#[test]
fn parameters_keep_the_reference_names_and_add_ours() {
    let t = template();
    let params = t["Parameters"].as_object().unwrap();
    let mut names: Vec<&str> = params.keys().map(String::as_str).collect();
    names.sort();
    let mut expected: Vec<&str> = Param::ALL.iter().map(|p| p.key()).collect();
    expected.extend([
        CODE_BUCKET,
        CODE_KEY,
        MAXIMUM_EVENT_AGE,
        TIMEZONE,
        PERMISSIONS_BOUNDARY,
        MAX_DEFER_MINUTES,
        FREE_CAPACITY_ALARM_BYTES,
        CAPACITY_RELEASE,
        COMPLETION_REPORT_OBJECTS,
    ]);
    expected.sort();
    assert_eq!(names, expected);

    // The reference's defaults, in the form the CLI sends them.
    let default_schedule = Schedule::parse(Param::Schedule.default().unwrap()).unwrap();
    assert_eq!(params["Schedule"]["Default"], default_schedule.expression());
    for p in [
        Param::Paths,
        Param::TaskType,
        Param::TaskCompletionReportPath,
    ] {
        assert_eq!(
            params[p.key()]["Default"],
            p.default().unwrap(),
            "{}",
            p.key()
        );
    }
    let task_types: Vec<&str> = TaskType::ALL.iter().map(|t| t.name()).collect();
    assert_eq!(params["TaskType"]["AllowedValues"], json!(task_types));
    assert_eq!(
        params["LogRetentionDays"]["AllowedValues"],
        json!(LOG_RETENTION_DAYS)
    );
    assert_eq!(
        params["FileSystemId"]["AllowedPattern"],
        "^fs-[0-9a-f]{8,}$"
    );
    assert_eq!(params["FileSystemId"]["MinLength"], 11);
    assert_eq!(params["FileSystemId"]["MaxLength"], 21);
    // The cap's range and default are the rule's (core's followup).
    let cap = &params[Param::FollowUpCapMinutes.key()];
    assert_eq!(
        (&cap["Default"], &cap["MinValue"], &cap["MaxValue"]),
        (
            &json!(followup::DEFAULT_CAP_MINUTES),
            &json!(followup::MIN_CAP_MINUTES),
            &json!(followup::MAX_CAP_MINUTES)
        )
    );
    assert_eq!(
        Param::FollowUpCapMinutes.default(),
        Some(followup::DEFAULT_CAP_MINUTES.to_string().as_str())
    );
    // Mappings named like parameters break the local emulator; none at all is simplest.
    assert!(t.get("Mappings").is_none());
}

#[test]
fn the_function() {
    let t = template();
    let (_, f) = one_of(&t, "AWS::Lambda::Function");
    let p = &f["Properties"];
    assert_eq!(p["Runtime"], "provided.al2023");
    assert_eq!(p["Architectures"], json!(["arm64"]));
    assert_eq!(p["Handler"], "bootstrap");
    assert_eq!(p["MemorySize"], 128);
    // No reservation: on accounts with a low concurrency quota it fails the first deploy.
    assert!(p.get("ReservedConcurrentExecutions").is_none());
    // Lambda's retries of a failed scheduled run are bounded instead.
    let (_, invoke) = one_of(&t, "AWS::Lambda::EventInvokeConfig");
    let invoke = &invoke["Properties"];
    assert_eq!(invoke["FunctionName"], json!({"Ref": "Function"}));
    assert_eq!(invoke["MaximumRetryAttempts"], 2);
    assert_eq!(
        invoke["MaximumEventAgeInSeconds"],
        json!({"Ref": MAXIMUM_EVENT_AGE})
    );
    assert_eq!(p["TracingConfig"]["Mode"], "Active");
    assert_eq!(p["Code"]["S3Bucket"], json!({"Ref": "CodeBucket"}));
    assert_eq!(p["Code"]["S3Key"], json!({"Ref": "CodeKey"}));

    let vars = p["Environment"]["Variables"].as_object().unwrap();
    let mut names: Vec<&str> = vars.keys().map(String::as_str).collect();
    names.sort();
    let mut expected = env::ALL.to_vec();
    expected.sort();
    assert_eq!(names, expected);
    assert_eq!(vars[env::FILE_SYSTEM_ID], json!({"Ref": "FileSystemId"}));
    assert_eq!(vars[env::FSX_PATHS], json!({"Ref": "Paths"}));
    assert_eq!(
        vars[env::COMPLETION_REPORT_PATH],
        json!({"Ref": "TaskCompletionReportPath"})
    );
    assert_eq!(
        vars[env::RELEASE_AFTER_DAYS],
        json!({"Ref": "ReleaseAfterDays"})
    );
    assert_eq!(vars[env::METRIC_NAMESPACE], metrics::NAMESPACE);
    assert_eq!(vars[env::SCHEDULE_GROUP], json!({"Ref": "ScheduleGroup"}));
    assert_eq!(
        vars[env::SCHEDULER_ROLE_ARN],
        json!({"Fn::GetAtt": ["SchedulerRole", "Arn"]})
    );
    assert_eq!(
        vars[env::MAX_DEFER_MINUTES],
        json!({"Ref": MAX_DEFER_MINUTES})
    );
    assert_eq!(
        vars[env::ALARM_TOPIC_ARN],
        json!({"Fn::If": ["CreatesAlarmTopic", {"Ref": "AlarmTopic"}, {"Ref": "AlarmTopicArn"}]})
    );
    assert_eq!(
        vars[env::FOLLOW_UP_CAP_MINUTES],
        json!({"Ref": Param::FollowUpCapMinutes.key()})
    );
    // TASK_TYPE is the API's enum, one per friendly name.
    let task_type = vars[env::TASK_TYPE].to_string();
    for t in TaskType::ALL {
        assert!(
            task_type.contains(t.api_name()),
            "{task_type} lacks {}",
            t.api_name()
        );
    }
}

#[test]
fn the_role_is_scoped() {
    let t = template();
    let role = &t["Resources"]["FunctionRole"];
    let statements: Vec<Value> = role["Properties"]["Policies"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["PolicyDocument"]["Statement"].as_array().unwrap().clone())
        .collect();
    assert!(role["Properties"].get("ManagedPolicyArns").is_none());
    let actions = |s: &Value| -> Vec<String> {
        match &s["Action"] {
            Value::String(a) => vec![a.clone()],
            Value::Array(a) => a.iter().map(|a| a.as_str().unwrap().to_string()).collect(),
            other => panic!("odd Action {other}"),
        }
    };
    for s in &statements {
        assert_eq!(s["Effect"], "Allow");
        for a in actions(s) {
            assert!(!a.ends_with('*'), "wildcard action {a}");
        }
    }
    let with = |action: &str| -> &Value {
        statements
            .iter()
            .find(|s| actions(s).iter().any(|a| a == action))
            .unwrap_or_else(|| panic!("no statement allows {action}"))
    };

    let create = with("fsx:CreateDataRepositoryTask");
    let resources = create["Resource"].to_string();
    assert!(
        resources.contains(":file-system/${FileSystemId}"),
        "{resources}"
    );
    assert!(resources.contains(":task/*"), "{resources}");
    assert_eq!(create["Resource"].as_array().unwrap().len(), 2);

    let tag = with("fsx:TagResource");
    assert!(
        tag["Resource"].to_string().ends_with(":task/*\"}"),
        "{}",
        tag["Resource"]
    );
    assert_eq!(
        tag["Condition"]["ForAllValues:StringEquals"]["aws:TagKeys"],
        json!([
            fsx_drt_core::TASK_TAG,
            fsx_drt_core::SCHEDULE_TAG,
            fsx_drt_core::SLOT_TAG,
            fsx_drt_core::REPORTED_TAG
        ])
    );

    // The function reads back its tasks' tag, on tasks only.
    let tags = with("fsx:ListTagsForResource");
    assert!(
        tags["Resource"].to_string().ends_with(":task/*\"}"),
        "{}",
        tags["Resource"]
    );

    for describe in [
        "fsx:DescribeFileSystems",
        "fsx:DescribeDataRepositoryAssociations",
        "fsx:DescribeDataRepositoryTasks",
    ] {
        assert_eq!(with(describe)["Resource"], "*", "{describe}");
    }
    let metrics_statement = with("cloudwatch:PutMetricData");
    assert_eq!(
        metrics_statement["Condition"]["StringEquals"]["cloudwatch:namespace"],
        metrics::NAMESPACE
    );
    let logs = with("logs:PutLogEvents")["Resource"].to_string();
    assert!(logs.contains("log-group:${LogGroup}"), "{logs}");
    assert!(!logs.contains("\"*\""), "{logs}");
    // Nothing else may touch every resource.
    for s in &statements {
        if s["Resource"] == "*" {
            for a in actions(s) {
                assert!(
                    a.starts_with("fsx:Describe")
                        || a == "cloudwatch:PutMetricData"
                        || a.starts_with("xray:"),
                    "{a} on *"
                );
            }
        }
    }
}

#[test]
fn schedule_dead_letters_role_and_alarms() {
    let t = template();
    // EventBridge Scheduler, in the schedule's own time zone, in the stack's group.
    let (group_id, _) = one_of(&t, "AWS::Scheduler::ScheduleGroup");
    let (_, schedule) = one_of(&t, "AWS::Scheduler::Schedule");
    let p = &schedule["Properties"];
    // Six bare cron fields (the reference's parameters file) are wrapped in cron(...).
    assert_eq!(
        p["ScheduleExpression"],
        json!({"Fn::If": ["ScheduleIsWrapped", {"Ref": "Schedule"}, {"Fn::Sub": "cron(${Schedule})"}]})
    );
    assert_eq!(p["ScheduleExpressionTimezone"], json!({"Ref": "Timezone"}));
    assert_eq!(p["GroupName"], json!({"Ref": group_id}));
    assert_eq!(p["FlexibleTimeWindow"]["Mode"], "OFF");
    let target = &p["Target"];
    assert_eq!(target["Arn"], json!({"Fn::GetAtt": ["Function", "Arn"]}));
    assert!(target["RetryPolicy"]["MaximumRetryAttempts"]
        .as_u64()
        .is_some());
    let (queue_id, queue) = one_of(&t, "AWS::SQS::Queue");
    assert_eq!(
        target["DeadLetterConfig"]["Arn"],
        json!({"Fn::GetAtt": [queue_id, "Arn"]})
    );
    assert_eq!(queue["Properties"]["SqsManagedSseEnabled"], true);
    // The input names the slot: the schedule and Scheduler's own time and ARN.
    let input: Value = serde_json::from_str(target["Input"].as_str().unwrap()).unwrap();
    assert_eq!(input["ScheduledTime"], "<aws.scheduler.scheduled-time>");
    assert_eq!(input["ScheduleArn"], "<aws.scheduler.schedule-arn>");

    // The role Scheduler assumes: only from this account's schedules of this group, and
    // only to invoke the function and dead-letter.
    let role_id = target["RoleArn"]["Fn::GetAtt"][0].as_str().unwrap();
    let role = &t["Resources"][role_id]["Properties"];
    let trust = &role["AssumeRolePolicyDocument"]["Statement"][0];
    assert_eq!(trust["Principal"]["Service"], "scheduler.amazonaws.com");
    assert_eq!(
        trust["Condition"]["StringEquals"]["aws:SourceAccount"],
        json!({"Ref": "AWS::AccountId"})
    );
    let policy = &t["Resources"]["SchedulerRolePolicy"]["Properties"];
    assert_eq!(policy["Roles"], json!([{"Ref": role_id}]));
    let actions: Vec<&Value> = policy["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["Action"])
        .collect();
    assert_eq!(
        actions,
        [&json!("lambda:InvokeFunction"), &json!("sqs:SendMessage")]
    );
    // No resource policy on the function for Scheduler: the role is what lets it invoke it
    // (the one permission is the capacity alarm's).
    let permissions = resources_of(&t, "AWS::Lambda::Permission");
    assert!(
        permissions
            .iter()
            .all(|(_, p)| p["Condition"] == CAPACITY_CONDITION),
        "{permissions:?}"
    );
    assert!(resources_of(&t, "AWS::Events::Rule").is_empty());

    // Its own key: alarms cannot publish to a topic under the AWS-managed alias/aws/sns.
    let (_, topic) = one_of(&t, "AWS::SNS::Topic");
    let (key_id, key) = one_of(&t, "AWS::KMS::Key");
    assert_eq!(
        topic["Properties"]["KmsMasterKeyId"],
        json!({"Ref": key_id})
    );
    assert_eq!(key["Properties"]["EnableKeyRotation"], true);
    let statements = key["Properties"]["KeyPolicy"]["Statement"]
        .as_array()
        .unwrap();
    let alarms = statements
        .iter()
        .find(|s| s["Principal"]["Service"] == "cloudwatch.amazonaws.com")
        .expect("a statement for CloudWatch alarms");
    // Only alarms of this account and Region may use the key.
    assert_eq!(
        alarms["Condition"]["StringEquals"]["aws:SourceAccount"],
        json!({"Ref": "AWS::AccountId"})
    );
    let source = alarms["Condition"]["ArnLike"]["aws:SourceArn"].to_string();
    assert!(
        source.contains(":cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*"),
        "{source}"
    );
    let (_, subscription) = one_of(&t, "AWS::SNS::Subscription");
    assert_eq!(subscription["Properties"]["Protocol"], "email");
    assert_eq!(
        subscription["Properties"]["Endpoint"],
        json!({"Ref": "EmailAddress"})
    );

    let alarms = topic_alarms(&t);
    assert_eq!(alarms.len(), 2);
    let watched: Vec<(Value, Value)> = alarms
        .iter()
        .map(|(_, a)| {
            (
                a["Properties"]["Namespace"].clone(),
                a["Properties"]["MetricName"].clone(),
            )
        })
        .collect();
    assert!(watched.contains(&(json!("AWS/Lambda"), json!("Errors"))));
    assert!(watched.contains(&(json!(metrics::NAMESPACE), json!(metrics::FAILED_TASKS))));
    for (id, alarm) in &alarms {
        let p = &alarm["Properties"];
        assert_eq!(p["Dimensions"][0]["Name"], metrics::DIMENSION, "{id}");
        assert_eq!(p["TreatMissingData"], "notBreaching", "{id}");
        assert!(p["AlarmActions"].to_string().contains("AlarmTopic"), "{id}");
    }
}

#[test]
fn outputs() {
    // Exactly the outputs the CLI knows by name (the contract in the lambda crate).
    let t = template();
    let mut names: Vec<&str> = t["Outputs"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort();
    let mut expected = fsx_drt_core::outputs::ALL.to_vec();
    expected.sort();
    assert_eq!(names, expected);
}

/// A team's permissions boundary, when given, on every role the stack creates.
#[test]
fn every_role_takes_the_permissions_boundary() {
    let t = template();
    let roles = resources_of(&t, "AWS::IAM::Role");
    assert_eq!(roles.len(), 2);
    for (id, role) in roles {
        assert_eq!(
            role["Properties"]["PermissionsBoundary"],
            json!({"Fn::If": ["HasPermissionsBoundary", {"Ref": PERMISSIONS_BOUNDARY}, {"Ref": "AWS::NoValue"}]}),
            "{id}"
        );
    }
    assert_eq!(t["Parameters"][PERMISSIONS_BOUNDARY]["Default"], "");
}

/// The template as CloudFormation deploys it with AlarmTopicArn empty (`own`: the stack's own
/// topic) or set: resources and outputs under `CreatesAlarmTopic` kept or dropped, and each
/// `Fn::If` on it resolved.
fn with_alarm_topic(t: &Value, own: bool) -> Value {
    fn resolve(v: &Value, own: bool) -> Value {
        match v {
            Value::Object(map) => match map.get("Fn::If") {
                Some(Value::Array(a)) if a[0] == "CreatesAlarmTopic" => {
                    resolve(&a[if own { 1 } else { 2 }], own)
                }
                _ => Value::Object(
                    (map.iter())
                        .filter(|(_, x)| {
                            own || x.get("Condition") != Some(&json!("CreatesAlarmTopic"))
                        })
                        .map(|(k, x)| (k.clone(), resolve(x, own)))
                        .collect(),
                ),
            },
            Value::Array(items) => Value::Array(items.iter().map(|x| resolve(x, own)).collect()),
            other => other.clone(),
        }
    }
    resolve(t, own)
}

/// AlarmTopicArn empty: the stack's topic, key and subscriptions, the alarms publish there.
/// Set: none of them, the alarms and the TopicArn output use the given topic, and no
/// AlarmTopicKeyArn output; the same in a rendered template with more addresses.
#[test]
fn alarms_go_to_the_stacks_topic_or_the_teams() {
    let rendered = render_for(&[], &["second@example.com".to_string()]);
    for t in [template(), rendered] {
        let ours = with_alarm_topic(&t, true);
        let teams = with_alarm_topic(&t, false);
        for kind in ["AWS::SNS::Topic", "AWS::KMS::Key", "AWS::SNS::Subscription"] {
            assert!(!resources_of(&ours, kind).is_empty(), "{kind}");
            assert!(resources_of(&teams, kind).is_empty(), "{kind}");
        }
        for (t, topic) in [
            (&ours, json!({"Ref": "AlarmTopic"})),
            (&teams, json!({"Ref": "AlarmTopicArn"})),
        ] {
            let alarms = topic_alarms(t);
            assert_eq!(alarms.len(), 2);
            for (id, alarm) in alarms {
                assert_eq!(alarm["Properties"]["AlarmActions"], json!([topic]), "{id}");
                assert_eq!(alarm["Properties"]["OKActions"], json!([topic]), "{id}");
            }
            assert_eq!(t["Outputs"]["TopicArn"]["Value"], topic);
        }
        assert!(ours["Outputs"].get("AlarmTopicKeyArn").is_some());
        assert!(teams["Outputs"].get("AlarmTopicKeyArn").is_none());
        // Nothing left that names what is gone.
        let text = teams["Resources"].to_string() + &teams["Outputs"].to_string();
        assert!(
            !text.contains("\"AlarmTopic\"") && !text.contains("AlarmTopicKey"),
            "{text}"
        );
    }
    let params = &template()["Parameters"];
    assert_eq!(params["AlarmTopicArn"]["Default"], "");
    assert_eq!(params["EmailAddress"]["Default"], "");
    // A stack made with plain create-stack gets one of the two, not both, not neither.
    let rule = template()["Rules"]["EmailAddressOrAlarmTopicArn"].to_string();
    assert!(
        rule.contains("EmailAddress") && rule.contains("AlarmTopicArn"),
        "{rule}"
    );
}

/// The statements of a policy of the function's role that stands apart from the role.
fn function_policy(t: &Value, id: &str) -> Vec<Value> {
    let policy = &t["Resources"][id];
    assert_eq!(policy["Type"], "AWS::IAM::Policy");
    assert_eq!(
        policy["Properties"]["Roles"],
        json!([{"Ref": "FunctionRole"}])
    );
    policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .clone()
}

/// A busy run's next try: the function may create one-time schedules named for deferrals in
/// its own group only, passing the schedules' role to Scheduler only; the schedules' role's
/// policy stands apart (it names the function, whose environment names the role).
#[test]
fn the_function_may_schedule_only_its_own_tries() {
    let t = template();
    let statements = function_policy(&t, "FunctionSchedulesTries");
    let create = &statements[0];
    assert_eq!(create["Action"], "scheduler:CreateSchedule");
    // Deferred runs' tries and follow-up checks, nothing else.
    let resources: Vec<&str> = create["Resource"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Fn::Sub"].as_str().unwrap())
        .collect();
    assert_eq!(resources.len(), 2);
    for (resource, prefix) in resources.iter().zip([
        fsx_drt_core::deferral::NAME_PREFIX,
        fsx_drt_core::followup::NAME_PREFIX,
    ]) {
        assert!(
            resource.ends_with(&format!("schedule/${{ScheduleGroup}}/{prefix}*")),
            "{resource}"
        );
    }
    let pass = &statements[1];
    assert_eq!(pass["Action"], "iam:PassRole");
    assert_eq!(
        pass["Resource"],
        json!({"Fn::GetAtt": ["SchedulerRole", "Arn"]})
    );
    assert_eq!(
        pass["Condition"]["StringEquals"]["iam:PassedToService"],
        "scheduler.amazonaws.com"
    );
    assert!(t["Resources"]["SchedulerRole"]["Properties"]["Policies"].is_null());
    assert_eq!(
        t["Resources"]["SchedulerRolePolicy"]["Properties"]["Roles"],
        json!([{"Ref": "SchedulerRole"}])
    );
    assert_eq!(
        t["Resources"]["TaskSchedule"]["DependsOn"],
        "SchedulerRolePolicy"
    );
}

/// ReleaseWhenFreeBelowPercent: an alarm on the file system's free data storage whose action
/// is the function, allowed by a permission for that alarm only; both (and the output) only
/// when deploy sets a threshold, in the written template and in a rendered one.
#[test]
fn the_capacity_alarm_invokes_the_function_only_when_a_threshold_is_set() {
    for t in [template(), render_for(&[], &[])] {
        assert_eq!(
            t["Conditions"][CAPACITY_CONDITION],
            json!({"Fn::Not": [{"Fn::Equals": [{"Ref": FREE_CAPACITY_ALARM_BYTES}, "0"]}]})
        );
        assert_eq!(t["Parameters"][FREE_CAPACITY_ALARM_BYTES]["Default"], 0);
        assert_eq!(t["Parameters"][CAPACITY_RELEASE]["Default"], "");
        let alarm = &t["Resources"]["FreeCapacityAlarm"];
        let permission = &t["Resources"]["FreeCapacityAlarmPermission"];
        for conditional in [alarm, permission, &t["Outputs"]["FreeCapacityAlarmName"]] {
            assert_eq!(
                conditional["Condition"], CAPACITY_CONDITION,
                "{conditional}"
            );
        }
        let p = &alarm["Properties"];
        assert_eq!(
            (p["Namespace"].as_str(), p["MetricName"].as_str()),
            (Some("AWS/FSx"), Some("FreeDataStorageCapacity"))
        );
        assert_eq!(
            p["Dimensions"],
            json!([{"Name": "FileSystemId", "Value": {"Ref": "FileSystemId"}}])
        );
        assert_eq!(p["Statistic"], "Sum");
        assert_eq!(p["Threshold"], json!({"Ref": FREE_CAPACITY_ALARM_BYTES}));
        assert_eq!(p["ComparisonOperator"], "LessThanThreshold");
        assert_eq!(
            p["AlarmActions"],
            json!([{"Fn::GetAtt": ["Function", "Arn"]}])
        );
        assert!(p.get("OKActions").is_none(), "OK runs nothing");
        // The permission exists before the alarm can act, and names that alarm only.
        assert_eq!(alarm["DependsOn"], "FreeCapacityAlarmPermission");
        let q = &permission["Properties"];
        assert_eq!(q["Principal"], "lambda.alarms.cloudwatch.amazonaws.com");
        assert_eq!(q["Action"], "lambda:InvokeFunction");
        assert_eq!(q["SourceAccount"], json!({"Ref": "AWS::AccountId"}));
        let name = p["AlarmName"]["Fn::Sub"].as_str().unwrap();
        let source = q["SourceArn"]["Fn::Sub"].as_str().unwrap();
        assert!(source.ends_with(&format!(":alarm:{name}")), "{source}");
        let vars = &t["Resources"]["Function"]["Properties"]["Environment"]["Variables"];
        assert_eq!(
            vars[env::CAPACITY_RELEASE],
            json!({"Ref": CAPACITY_RELEASE})
        );
    }
}

/// A follow-up check reads the completion reports deploy lists (CompletionReportObjects: the
/// exact report paths; none, no statement at all), in this account's buckets, publishes to
/// the alarm topic only, and uses the stack's topic key only when the stack has its own topic.
#[test]
fn the_function_reads_only_completion_reports_and_tells_only_the_alarm_topic() {
    let t = template();
    let reports = &t["Resources"]["FunctionReadsCompletionReports"];
    assert_eq!(reports["Condition"], "ReadsCompletionReports");
    assert_eq!(
        t["Conditions"]["ReadsCompletionReports"],
        json!({"Fn::Not": [{"Fn::Equals": [{"Fn::Join": ["", {"Ref": COMPLETION_REPORT_OBJECTS}]}, ""]}]})
    );
    let parameter = &t["Parameters"][COMPLETION_REPORT_OBJECTS];
    assert_eq!(
        (&parameter["Type"], &parameter["Default"]),
        (&json!("CommaDelimitedList"), &json!(""))
    );
    let read = &function_policy(&t, "FunctionReadsCompletionReports")[0];
    assert_eq!(read["Action"], "s3:GetObject");
    assert_eq!(read["Resource"], json!({"Ref": COMPLETION_REPORT_OBJECTS}));
    assert_eq!(
        read["Condition"]["StringEquals"]["aws:ResourceAccount"],
        json!({"Ref": "AWS::AccountId"})
    );
    // No other statement of the function's reads S3.
    let all = t.to_string();
    assert_eq!(all.matches("s3:GetObject").count(), 1, "one S3 read");
    let statements = function_policy(&t, "FunctionReportsTasks");
    assert_eq!(statements.len(), 1);
    let publish = &statements[0];
    assert_eq!(publish["Action"], "sns:Publish");
    for (own, topic) in [
        (true, json!({"Ref": "AlarmTopic"})),
        (false, json!({"Ref": "AlarmTopicArn"})),
    ] {
        let resolved = with_alarm_topic(&t, own);
        let resources = &resolved["Resources"];
        assert_eq!(
            resources["FunctionReportsTasks"]["Properties"]["PolicyDocument"]["Statement"][0]
                ["Resource"],
            topic
        );
        let key = &resources["FunctionUsesAlarmTopicKey"];
        assert_eq!(
            key.is_null(),
            !own,
            "the key policy with the stack's topic only"
        );
        if own {
            let statement = &key["Properties"]["PolicyDocument"]["Statement"][0];
            assert_eq!(
                statement["Action"],
                json!(["kms:GenerateDataKey", "kms:Decrypt"])
            );
            assert_eq!(
                statement["Resource"],
                json!({"Fn::GetAtt": ["AlarmTopicKey", "Arn"]})
            );
        }
    }
}
