"""Task 4.3: a person passes the execution role to a training job; the job, not the person,
uses the role's permissions."""

from course_figures import aws_diagram
from diagrams import Edge
from diagrams.aws.compute import EC2ContainerRegistry
from diagrams.aws.general import User
from diagrams.aws.management import CloudwatchLogs
from diagrams.aws.ml import SagemakerTrainingJob
from diagrams.aws.security import IdentityAndAccessManagementIamRole, KeyManagementService
from diagrams.aws.storage import SimpleStorageServiceS3Bucket


def draw(path):
    with aws_diagram(path, direction="TB", splines="spline", nodesep="0.6", ranksep="0.8", pad="0.5"):
        person = User("Data scientist")
        job = SagemakerTrainingJob("Training job")
        role = IdentityAndAccessManagementIamRole("Execution role")
        bucket = SimpleStorageServiceS3Bucket("S3: read train/,\nwrite artifacts")
        key = KeyManagementService("KMS key\n(key policy too)")
        image = EC2ContainerRegistry("ECR:\npull image")
        logs = CloudwatchLogs("CloudWatch:\nlogs, metrics")
        person >> Edge(label="CreateTrainingJob,\niam:PassRole to\nsagemaker.amazonaws.com") >> job
        job >> Edge(label="SageMaker\nassumes it") >> role
        role >> [bucket, key, image, logs]
