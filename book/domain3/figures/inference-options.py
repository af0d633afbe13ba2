"""Task 3.1: the four SageMaker inference options side by side, with how a caller reaches each one."""

from course_figures import aws_diagram
from diagrams import Cluster, Edge
from diagrams.aws.general import Users
from diagrams.aws.integration import SimpleNotificationServiceSnsTopic
from diagrams.aws.ml import Sagemaker, SagemakerModel
from diagrams.aws.storage import SimpleStorageServiceS3Bucket


def draw(path):
    with aws_diagram(path, splines="spline", ranksep="1.1", nodesep="0.5"):
        callers = Users("Callers")
        with Cluster("Real-time: waits for the answer"):
            realtime = Sagemaker("Endpoint on\ninstances")
        with Cluster("Serverless: waits, may cold start"):
            serverless = Sagemaker("Serverless\nendpoint")
        with Cluster("Asynchronous: queued, answer in S3"):
            request = SimpleStorageServiceS3Bucket("Input\nin S3")
            asynchronous = Sagemaker("Async\nendpoint")
            answer = SimpleStorageServiceS3Bucket("Result\nin S3")
            notice = SimpleNotificationServiceSnsTopic("SNS notice\n(optional)")
        with Cluster("Batch transform: a job, no endpoint"):
            dataset = SimpleStorageServiceS3Bucket("Dataset\nin S3")
            job = SagemakerModel("Transform\njob")
            scores = SimpleStorageServiceS3Bucket("Scores\nin S3")
        callers >> Edge(label="≤ 6 MB, 60 s") >> realtime
        callers >> Edge(label="≤ 4 MB, 60 s") >> serverless
        callers >> Edge(label="≤ 1 GB, 1 h") >> request >> asynchronous >> answer >> notice
        callers >> Edge(label="a whole dataset") >> dataset >> job >> scores
