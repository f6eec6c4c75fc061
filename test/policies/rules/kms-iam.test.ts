import { describeRuleCases } from "../support/cases";
import { kmsIamCases } from "./kms-iam.cases";

describeRuleCases("KMS and IAM rules", kmsIamCases);
