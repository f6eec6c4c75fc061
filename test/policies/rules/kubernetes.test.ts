import { describeRuleCases } from "../support/cases";
import { kubernetesCases } from "./kubernetes.cases";

describeRuleCases("Kubernetes and Helm rules", kubernetesCases);
