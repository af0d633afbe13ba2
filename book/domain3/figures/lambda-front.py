"""Task 3.1: Lambda in front of a SageMaker endpoint, behind API Gateway."""

from course_figures import aws_diagram
from diagrams import Edge
from diagrams.aws.compute import Lambda
from diagrams.aws.general import Users
from diagrams.aws.ml import Sagemaker
from diagrams.aws.network import APIGateway


def draw(path):
    with aws_diagram(path, nodesep="0.6", ranksep="1.2"):
        clients = Users("Clients")
        api = APIGateway("API Gateway")
        function = Lambda("Lambda\n(validate, shape)")
        endpoint = Sagemaker("SageMaker\nendpoint")
        clients >> api >> function >> Edge(label="InvokeEndpoint") >> endpoint
