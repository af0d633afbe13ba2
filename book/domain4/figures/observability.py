"""Task 4.2: where each observability tool looks along one request path, API Gateway to
Lambda to a SageMaker endpoint."""

from course_figures import aws_diagram
from diagrams import Edge
from diagrams.aws.compute import Lambda
from diagrams.aws.devtools import XRay
from diagrams.aws.general import Users
from diagrams.aws.management import Cloudwatch, CloudwatchLogs
from diagrams.aws.ml import Sagemaker
from diagrams.aws.network import APIGateway


def draw(path):
    with aws_diagram(path, direction="TB", splines="spline", nodesep="0.7", ranksep="1.0", pad="0.5"):
        clients = Users("Clients")
        api = APIGateway("API Gateway")
        function = Lambda("Lambda")
        endpoint = Sagemaker("SageMaker\nendpoint")
        xray = XRay("X-Ray: where\nthe time goes")
        insights = Cloudwatch("Lambda Insights:\nmemory, cold starts")
        metrics = Cloudwatch("Metrics, alarms:\nlatency, 5XX")
        logs = CloudwatchLogs("Logs Insights:\nstack traces")
        request = {"constraint": "false"}
        clients >> Edge(**request) >> api >> Edge(**request) >> function
        function >> Edge(label="InvokeEndpoint", **request) >> endpoint
        watch = {"style": "dashed", "color": "#8a94a6"}
        api >> Edge(**watch) >> xray
        function >> Edge(**watch) >> xray
        function >> Edge(**watch) >> insights
        endpoint >> Edge(**watch) >> metrics
        endpoint >> Edge(**watch) >> logs
