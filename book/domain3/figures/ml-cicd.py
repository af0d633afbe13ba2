"""Task 3.3: the ML CI/CD flow, from a Git push and a model-building pipeline to a guarded production deployment."""

from course_figures import aws_diagram
from diagrams import Cluster, Edge
from diagrams.aws.compute import EC2ContainerRegistry
from diagrams.aws.devtools import Codebuild, Codepipeline
from diagrams.aws.integration import EventbridgeRule
from diagrams.aws.ml import Sagemaker, SagemakerModel
from diagrams.onprem.vcs import Git


def draw(path):
    with aws_diagram(path, direction="TB", splines="spline", ranksep="0.7", nodesep="0.9"):
        with Cluster("CI: code"):
            repo = Git("git push")
            build = Codebuild("CodeBuild:\ntests, image")
            registry = EC2ContainerRegistry("ECR")
        with Cluster("Continuous training: data"):
            trigger = EventbridgeRule("New data,\nschedule, drift")
            pipeline = Sagemaker("SageMaker\nPipelines")
            registry_model = SagemakerModel("Model Registry\n(pending approval)")
        with Cluster("CD: model"):
            event = EventbridgeRule("Model Package\nState Change")
            deploy = Codepipeline("CodePipeline:\nstaging, approval")
            production = Sagemaker("Production\n(canary, linear)")
        repo >> Edge(label="CodePipeline") >> build >> registry
        trigger >> pipeline >> Edge(label="metric ≥ threshold") >> registry_model
        registry_model >> Edge(label="Approved", constraint="false") >> event >> deploy >> production
