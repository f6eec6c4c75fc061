import { describeRuleCases } from "../support/cases";
import { eksComputeCases } from "./eks-compute.cases";

describeRuleCases("EKS, node group and launch template rules", eksComputeCases);
