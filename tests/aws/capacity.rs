//! Release when space runs low, on the local emulator: a definition with
//! ReleaseWhenFreeBelowPercent deploys the capacity alarm's threshold (from the file system's
//! StorageCapacity), the function's permission for the alarm and the release settings in the
//! function's environment; the alarm's ALARM event, as CloudWatch
//! documents it (moto's alarms invoke nothing), run through the function's handler in this
//! process against the emulator, creates one release task, however often it is delivered.

use fsx_drt_core::capacity::{read, Read};
use fsx_drt_core::handler::{Handler, Outcome};
use serde_json::{json, Value};

use crate::emulator::Emulator;

fn alarm_event(alarm_arn: &str, state: &str) -> Value {
    json!({
        "source": "aws.cloudwatch",
        "alarmArn": alarm_arn,
        "accountId": "123456789012",
        "time": "2026-11-25T06:15:42.490+0000",
        "region": "us-east-1",
        "alarmData": {
            "alarmName": alarm_arn.rsplit(':').next().unwrap(),
            "state": {"value": state, "reason": "Threshold Crossed",
                      "timestamp": "2026-11-25T06:15:42.490+0000"},
            "previousState": {"value": "OK", "timestamp": "2026-11-24T06:15:42.490+0000"},
            "configuration": {"metrics": []}
        }
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn the_capacity_alarm_s_alarm_event_leads_to_one_release() {
    let emulator = Emulator::start();
    let fs = emulator.file_system_id.clone();
    let definition = emulator.dir.join("capacity.yaml");
    std::fs::write(
        &definition,
        format!(
            "FileSystemId: {fs}\nEmailAddress: hpc-ops@example.com\nReleaseWhenFreeBelowPercent: 20\nSchedules:\n  nightly-export: {{TaskType: Export, Paths: [/data], Schedule: \"0 22 * * ? *\"}}\n  weekly-release: {{TaskType: Release, ReleaseAfterDays: 14, Paths: [/data], Schedule: \"0 3 ? * SUN *\"}}\n"
        ),
    )
    .unwrap();
    let deployed = emulator.deploy_definition("capacity", &definition);
    assert_eq!(deployed.code, 0, "{}", deployed.stderr);
    // moto makes no AWS::CloudWatch::Alarm from a template (its CloudFormation knows none):
    // the threshold is checked as the stack's parameter, the alarm's ARN is the template's.
    let made = emulator.aws(
        "cf = boto3.client('cloudformation', **kw)\nlam = boto3.client('lambda', **kw)\n\
         stack = cf.describe_stacks(StackName='capacity')['Stacks'][0]\n\
         params = {p['ParameterKey']: p['ParameterValue'] for p in stack['Parameters']}\n\
         fn = {o['OutputKey']: o['OutputValue'] for o in stack['Outputs']}['FunctionArn']\n\
         env = lam.get_function_configuration(FunctionName=fn)['Environment']['Variables']\n\
         policy = json.loads(lam.get_policy(FunctionName=fn)['Policy'])\n\
         print(json.dumps({'params': params, 'env': env, 'policy': policy}))",
    );
    // 20% of the emulator's 1200 GiB.
    assert_eq!(made["params"]["FreeCapacityAlarmBytes"], "257698037760");
    let alarm_arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:capacity-free-capacity";
    let statements = made["policy"]["Statement"].to_string();
    assert!(
        statements.contains("lambda.alarms.cloudwatch.amazonaws.com")
            && statements.contains(alarm_arn),
        "{statements}"
    );

    // The function, as it runs: its environment as deployed, clients on the emulator.
    let env = made["env"].clone();
    let lookup = |name: &str| env[name].as_str().map(str::to_string);
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(emulator.endpoint())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_fsx::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .load()
        .await;
    let run = |event: Value| {
        let lookup = &lookup;
        let sdk = &sdk;
        async move {
            let Read::Run(invocation) = read(&event, "req", lookup).unwrap() else {
                panic!("the ALARM change is a run");
            };
            let handler = Handler {
                fsx: aws_sdk_fsx::Client::new(sdk),
                cloudwatch: aws_sdk_cloudwatch::Client::new(sdk),
                config: invocation.config(lookup).unwrap(),
                function_name: "capacity-Function".into(),
                namespace: fsx_drt_core::metrics::NAMESPACE.into(),
                metrics_required: true,
                later: None,
                follow_ups: None,
            };
            handler.run_invocation(&invocation).await.unwrap()
        }
    };
    let event = alarm_event(alarm_arn, "ALARM");
    let first = run(event.clone()).await;
    assert_eq!(first.outcome, Outcome::Created, "{first:?}");
    assert_eq!(first.schedule.as_deref(), Some("weekly-release"));
    assert_eq!(first.task_type, "RELEASE_DATA_FROM_FILESYSTEM");
    // Delivered again (Lambda's retry): no second task.
    let again = run(event).await;
    assert_ne!(again.outcome, Outcome::Created, "{again:?}");
    let releases = emulator.aws(&format!(
        "fsx = boto3.client('fsx', **kw)\n\
         ts = fsx.describe_data_repository_tasks(Filters=[{{'Name': 'file-system-id', 'Values': [{fs:?}]}}])['DataRepositoryTasks']\n\
         print(json.dumps([[t['TaskId'], t.get('ReleaseConfiguration')] for t in ts if t['Type'] == 'RELEASE_DATA_FROM_FILESYSTEM']))"
    ));
    assert_eq!(releases.as_array().unwrap().len(), 1, "{releases}");
    assert_eq!(
        releases[0][1]["DurationSinceLastAccess"],
        json!({"Unit": "DAYS", "Value": 14})
    );
    assert_eq!(releases[0][0].as_str(), first.task_id.as_deref());
    // Back to OK: nothing.
    let ok = alarm_event(alarm_arn, "OK");
    assert!(matches!(read(&ok, "req", lookup), Ok(Read::Ignored(_))));

    // status: the threshold; the emulator's file system publishes no FreeDataStorageCapacity,
    // which leaves the free storage unknown, not status failed.
    let status = emulator.fsx_drt(&["status", "--stack-name", "capacity", "--no-drift"]);
    assert!(
        status
            .stdout
            .contains("  free now: unknown (no FreeDataStorageCapacity datapoint"),
        "{}",
        status.stdout
    );
    assert!(
        status
            .stdout
            .contains("Release when space runs low:\n  free below 20%, 240.0 GiB runs weekly-release's release\n"),
        "{}\n{}",
        status.stdout,
        status.stderr
    );
}
