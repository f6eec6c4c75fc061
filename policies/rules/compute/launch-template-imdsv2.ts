import { resourceRule } from "../define";

/** Instances answer only session-token (IMDSv2) metadata requests, which SSRF cannot forge. */
export const launchTemplateImdsv2 = resourceRule({
  id: "launch-template-imdsv2",
  types: ["aws_launch_template"],
  fix: 'Set `metadataOptions: { httpTokens: "required", httpEndpoint: "enabled", httpPutResponseHopLimit: 1 }`.',
  check(template, stack) {
    const endpoint = stack.string(template.body, "metadata_options.http_endpoint", {
      default: "enabled",
    });
    if (!endpoint.ok) return [endpoint.problem];
    if (endpoint.value === "disabled") return [];
    const tokens = stack.string(template.body, "metadata_options.http_tokens");
    if (!tokens.ok) return [`${tokens.problem} (the AMI's default may accept IMDSv1)`];
    return tokens.value === "required"
      ? []
      : [`\`metadata_options.http_tokens\` is "${tokens.value}": IMDSv1 is accepted`];
  },
});
