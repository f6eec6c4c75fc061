import { describeRuleCases } from "../support/cases";
import { dataCases } from "./data.cases";

describeRuleCases("Aurora and ElastiCache rules", dataCases);
