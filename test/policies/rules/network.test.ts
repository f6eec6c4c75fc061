import { describeRuleCases } from "../support/cases";
import { networkCases } from "./network.cases";

describeRuleCases("network rules", networkCases);
