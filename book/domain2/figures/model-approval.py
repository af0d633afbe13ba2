"""Task 2.2: a model version from registration to deployment, driven by the approval event in EventBridge."""

from course_figures import aws_diagram
from diagrams import Edge
from diagrams.aws.devtools import Codepipeline
from diagrams.aws.general import User
from diagrams.aws.integration import EventbridgeRule
from diagrams.aws.ml import Sagemaker, SagemakerModel, SagemakerTrainingJob


def draw(path):
    # Two rows of three, so the chain stays legible at phone width: register and review, then deploy.
    with aws_diagram(path, splines="spline", ranksep="1.0", nodesep="0.6", pad="0.7"):
        training = SagemakerTrainingJob("Training job")
        registry = Sagemaker("Model Registry:\nnew version,\nPendingManual-\nApproval")
        reviewer = User("Reviewer checks\nmetrics, calls\nUpdateModelPackage")
        rule = EventbridgeRule("EventBridge rule\nmatches Approved\nin the group")
        pipeline = Codepipeline("Deployment\npipeline")
        endpoint = SagemakerModel("Endpoint\nupdated")
        training >> Edge(label="register") >> registry >> reviewer
        rule >> pipeline >> endpoint
        reviewer >> Edge(label="Approved", constraint="false") >> rule
