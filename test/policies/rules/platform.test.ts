import { describeRuleCases } from "../support/cases";
import { platformCases } from "./platform.cases";

describeRuleCases(
  "logs, alarms, SNS, ECR, tags, secrets and destroy protection rules",
  platformCases,
);
