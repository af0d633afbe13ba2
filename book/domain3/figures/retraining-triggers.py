"""Task 3.3: four retraining triggers that all start the same SageMaker pipeline, which ends at the Model Registry."""

from course_figures import aws_diagram
from diagrams import Edge
from diagrams.aws.devtools import Codebuild
from diagrams.aws.integration import EventbridgeRule, EventbridgeScheduler
from diagrams.aws.management import CloudwatchAlarm
from diagrams.aws.ml import Sagemaker, SagemakerModel
from diagrams.aws.storage import SimpleStorageServiceS3Bucket


def draw(path):
    with aws_diagram(path, splines="spline", nodesep="0.6", ranksep="1.2", pad="0.5"):
        schedule = EventbridgeScheduler("Scheduler\n(weekly, monthly)")
        data = SimpleStorageServiceS3Bucket("New data\nin S3")
        drift = CloudwatchAlarm("Drift or\nquality alarm")
        code = Codebuild("Merge to main:\nCodeBuild")
        rule = EventbridgeRule("EventBridge\nrule")
        pipeline = Sagemaker("SageMaker\npipeline")
        registry = SagemakerModel("Model Registry\n(pending approval)")
        schedule >> Edge(label="StartPipelineExecution") >> pipeline
        data >> rule
        drift >> rule
        rule >> pipeline
        code >> Edge(label="StartPipelineExecution") >> pipeline
        pipeline >> registry
