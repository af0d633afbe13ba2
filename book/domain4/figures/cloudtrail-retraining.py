"""Task 4.2: retraining on new training data in S3, seen through CloudTrail data events
and an EventBridge rule."""

from course_figures import aws_diagram
from diagrams import Edge
from diagrams.aws.general import Users
from diagrams.aws.integration import EventbridgeRule, StepFunctions
from diagrams.aws.management import Cloudtrail
from diagrams.aws.ml import Sagemaker
from diagrams.aws.storage import SimpleStorageServiceS3Bucket


def draw(path):
    with aws_diagram(path, splines="spline", nodesep="0.9", ranksep="1.0", pad="0.5"):
        producer = Users("New labelled\ndata")
        bucket = SimpleStorageServiceS3Bucket("Training\nbucket")
        trail = Cloudtrail("Trail with\nS3 data events")
        rule = EventbridgeRule("EventBridge rule:\nPutObject")
        target = StepFunctions("Step Functions\n(or Lambda)")
        pipeline = Sagemaker("Training\npipeline")
        producer >> Edge(label="PutObject") >> bucket >> trail
        trail >> Edge(label="AWS API Call\nvia CloudTrail", constraint="false") >> rule
        rule >> target >> Edge(label="start") >> pipeline
