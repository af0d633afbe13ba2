"""Task 4.1: SageMaker Model Monitor for a real-time endpoint: capture, baseline, scheduled
comparison, violations, metrics and alarm."""

from course_figures import aws_diagram
from diagrams import Edge
from diagrams.aws.management import CloudwatchAlarm
from diagrams.aws.ml import Sagemaker, SagemakerModel
from diagrams.aws.storage import SimpleStorageServiceS3Bucket


def draw(path):
    with aws_diagram(path, direction="TB", splines="spline", nodesep="0.6", ranksep="0.8", pad="0.5"):
        endpoint = Sagemaker("Endpoint with\ndata capture")
        training = SimpleStorageServiceS3Bucket("Training\ndata")
        capture = SimpleStorageServiceS3Bucket("Captured\nrequests")
        baseline = SagemakerModel("Baselining job:\nbaseline files")
        labels = SimpleStorageServiceS3Bucket("Ground truth\n(model quality)")
        monitor = Sagemaker("Monitoring job\non a schedule")
        violations = SimpleStorageServiceS3Bucket("Violations\nreport")
        alarm = CloudwatchAlarm("Metrics, alarm,\nyour action")
        endpoint >> Edge(label="sample") >> capture >> monitor
        training >> baseline >> monitor
        labels >> monitor
        monitor >> violations
        monitor >> alarm
