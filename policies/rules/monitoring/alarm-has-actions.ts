import { resourceRule } from "../define";

/** Every alarm notifies someone when it fires. */
export const alarmHasActions = resourceRule({
  id: "alarm-has-actions",
  types: ["aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm"],
  fix: "Set `alarmActions` (and `okActions`) to the platform's alarm topic.",
  check(alarm, stack) {
    const enabled = stack.bool(alarm.body, "actions_enabled", { default: true });
    if (!enabled.ok) return [enabled.problem];
    if (!enabled.value) return ["`actions_enabled` is false"];
    const actions = stack.list(alarm.body, "alarm_actions");
    if (!actions.ok) return [actions.problem];
    return actions.value.length > 0 ? [] : ["`alarm_actions` is empty: the alarm fires silently"];
  },
});
