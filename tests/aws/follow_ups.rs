//! A follow-up check on the emulator: a task that ends with failed files (the emulator writes
//! its completion report into moto S3) is reported by one check, as the function does it
//! (the library's handler on SDK clients for the emulator): FailedTasks published, one
//! message on the alarm topic (read from an SQS queue subscribed to it) with the report
//! summarised, the task tagged; a second check sends nothing. The report it read is one the
//! function's role may read as deploy granted it (CompletionReportObjects: exactly the report
//! path of the stack's schedule), and no other. Prints how long the check took from its start
//! to the message in the queue.

use std::time::{Duration, Instant};

use aws_sdk_s3::config::{Credentials, Region};
use fsx_drt_core::follow::{check_config, CheckOutcome, FollowUps};
use fsx_drt_core::followup::{Cap, Check};
use fsx_drt_core::handler::Handler;
use fsx_drt_core::{FileSystemId, REPORTED_TAG};
use serde_json::Value;

use crate::emulator::{Emulator, LAMBDA_ZIP};

/// Whether IAM's resource pattern `pattern` (wildcard `*` only, as deploy writes them)
/// matches `arn`.
fn iam_matches(pattern: &str, arn: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if parts.len() == 1 {
        return pattern == arn;
    }
    if !arn.starts_with(first) || !arn[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &arn[first.len()..arn.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

async fn sdk(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .load()
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_task_with_failed_files_is_reported_by_one_check_on_the_emulator() {
    let emulator = Emulator::start();
    // The stack's schedule writes its reports under /reports of the association /data ->
    // s3://fsx-drt-demo-data/data/: deploy grants the function exactly that.
    let deployed = emulator.fsx_drt(&[
        "deploy",
        "--stack-name",
        "reports",
        "--yes",
        "--lambda-zip",
        LAMBDA_ZIP,
        "--file-system-id",
        &emulator.file_system_id,
        "--email",
        "ops@example.com",
        "--paths",
        "/data",
        "--report-path",
        "/reports",
    ]);
    assert_eq!(deployed.code, 0, "{}", deployed.stderr);
    let granted = emulator.aws(
        "cfn = boto3.client('cloudformation', **kw); iam = boto3.client('iam', **kw)\n\
         role = cfn.describe_stack_resource(StackName='reports', LogicalResourceId='FunctionRole')['StackResourceDetail']['PhysicalResourceId']\n\
         doc = iam.get_role_policy(RoleName=role, PolicyName='fsx-drt-completion-reports')['PolicyDocument']\n\
         doc = json.loads(doc) if isinstance(doc, str) else doc\n\
         print(json.dumps(doc['Statement']))",
    );
    let statements = granted.as_array().unwrap();
    assert_eq!(statements.len(), 1, "{granted}");
    assert_eq!(statements[0]["Action"], "s3:GetObject");
    let resources: Vec<String> = match &statements[0]["Resource"] {
        Value::String(one) => vec![one.clone()],
        many => many
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap().to_string())
            .collect(),
    };
    assert_eq!(
        resources,
        ["arn:aws:s3:::fsx-drt-demo-data/data/reports/task-*/failures.csv"]
    );
    let made = emulator.aws(&format!(
        "sns = boto3.client('sns', **kw); sqs = boto3.client('sqs', **kw); fsx = boto3.client('fsx', **kw)\n\
         topic = sns.create_topic(Name='alarms')['TopicArn']\n\
         queue = sqs.create_queue(QueueName='alarm-mail')['QueueUrl']\n\
         queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=['QueueArn'])['Attributes']['QueueArn']\n\
         sns.subscribe(TopicArn=topic, Protocol='sqs', Endpoint=queue_arn)\n\
         t = fsx.create_data_repository_task(Type='EXPORT_TO_REPOSITORY', FileSystemId={:?}, \
         Paths=['data/partial-3'], Report={{'Enabled': True, 'Path': 's3://fsx-drt-demo-data/data/reports', \
         'Format': 'REPORT_CSV_20191124', 'Scope': 'FAILED_FILES_ONLY'}})['DataRepositoryTask']\n\
         print(json.dumps({{'topic': topic, 'queue': queue, 'task': t['TaskId'], 'arn': t['ResourceARN']}}))",
        emulator.file_system_id
    ));
    let (topic, queue, task_id) = (
        made["topic"].as_str().unwrap().to_string(),
        made["queue"].as_str().unwrap().to_string(),
        made["task"].as_str().unwrap().to_string(),
    );
    let describe = format!(
        "t = boto3.client('fsx', **kw).describe_data_repository_tasks(TaskIds=[{task_id:?}])['DataRepositoryTasks'][0]\n\
         print(json.dumps([t['Lifecycle'], t.get('EndTime') and t['EndTime'].isoformat()]))"
    );
    let mut described = Value::Null;
    for _ in 0..120 {
        described = emulator.aws(&describe);
        if described[0] == "SUCCEEDED" {
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    assert_eq!(described[0], "SUCCEEDED");
    let end_time = described[1].as_str().unwrap().to_string();

    let sdk = sdk(&emulator.endpoint).await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(true)
            .build(),
    );
    let handler = Handler {
        fsx: aws_sdk_fsx::Client::new(&sdk),
        cloudwatch: aws_sdk_cloudwatch::Client::new(&sdk),
        config: check_config(FileSystemId::parse(&emulator.file_system_id).unwrap()),
        function_name: "fsx-drt-Function-ABC".into(),
        namespace: "FsxDrt".into(),
        metrics_required: true,
        later: None,
        follow_ups: Some(FollowUps {
            sns: aws_sdk_sns::Client::new(&sdk),
            s3,
            topic_arn: topic,
            cap: Cap::DEFAULT,
        }),
    };
    let check = Check::first(
        &task_id,
        Some("nightly-export"),
        chrono::Utc::now(),
        None,
        Cap::DEFAULT,
    );
    let started = Instant::now();
    let result = handler.check(&check).await.unwrap();
    let checked = started.elapsed();
    assert_eq!(result.outcome, CheckOutcome::Reported, "{result:?}");
    assert!(result.warnings.is_empty(), "{result:?}");
    let failed = emulator.aws(
        "import datetime\nnow = datetime.datetime.now(datetime.timezone.utc)\nd = boto3.client('cloudwatch', **kw).get_metric_statistics(Namespace='FsxDrt', MetricName='FailedTasks', Dimensions=[{'Name': 'FunctionName', 'Value': 'fsx-drt-Function-ABC'}, {'Name': 'Schedule', 'Value': 'nightly-export'}], StartTime=now - datetime.timedelta(hours=1), EndTime=now + datetime.timedelta(minutes=1), Period=3600, Statistics=['Sum'])['Datapoints']\nprint(json.dumps(sum(p['Sum'] for p in d)))",
    );
    assert_eq!(failed, serde_json::json!(1.0), "FailedTasks published once");
    let receive = format!(
        "sqs = boto3.client('sqs', **kw)\n\
         got = sqs.receive_message(QueueUrl={queue:?}, MaxNumberOfMessages=10, WaitTimeSeconds=5).get('Messages', [])\n\
         print(json.dumps([json.loads(m['Body']) for m in got]))"
    );
    let messages = emulator.aws(&receive);
    let at = |t: &str| chrono::DateTime::parse_from_rfc3339(t).unwrap();
    eprintln!(
        "follow-up check on the emulator: the check took {} ms; task end {end_time} to the message's SNS Timestamp {}: {} ms",
        checked.as_millis(),
        messages[0]["Timestamp"],
        (at(messages[0]["Timestamp"].as_str().unwrap()) - at(&end_time)).num_milliseconds()
    );
    let messages = messages.as_array().unwrap();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let subject = messages[0]["Subject"].as_str().unwrap();
    assert_eq!(
        subject,
        format!(
            "fsx-drt: Export {task_id} on {}: 3 file(s) FAILED (nightly-export)",
            emulator.file_system_id
        )
    );
    let body = messages[0]["Message"].as_str().unwrap();
    // The object read is one the role may read; the same name under another prefix is not.
    let may_read = |object: &str| resources.iter().any(|r| iam_matches(r, object));
    let read = format!("arn:aws:s3:::fsx-drt-demo-data/data/reports/{task_id}/failures.csv");
    assert!(may_read(&read), "{read} not in {resources:?}");
    for other in [
        format!("arn:aws:s3:::fsx-drt-demo-data/data/other/{task_id}/failures.csv"),
        format!("arn:aws:s3:::other-bucket/data/reports/{task_id}/failures.csv"),
        "arn:aws:s3:::fsx-drt-demo-data/data/reports/README.txt".to_string(),
    ] {
        assert!(!may_read(&other), "{other} should not be readable");
    }
    for line in [
        format!("3 failed file(s) in s3://fsx-drt-demo-data/data/reports/{task_id}/failures.csv"),
        "Failed files (every one):".to_string(),
        "Files:       ".to_string(),
        format!("fsx-drt tasks report {task_id}"),
    ] {
        assert!(body.contains(&line), "{line:?} not in\n{body}");
    }

    // The tag that keeps the next run (and a retried check) from counting the task again.
    let seen = emulator.aws(&format!(
        "tags = boto3.client('fsx', **kw).list_tags_for_resource(ResourceARN={:?})['Tags']\n\
         print(json.dumps({{'tags': tags}}))",
        made["arn"].as_str().unwrap()
    ));
    assert!(
        seen["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["Key"] == REPORTED_TAG && t["Value"] == "true"),
        "{seen}"
    );
    let again = handler.check(&check).await.unwrap();
    assert_eq!(again.outcome, CheckOutcome::AlreadyReported);
    let messages = emulator.aws(&receive);
    assert_eq!(messages, serde_json::json!([]));
}
