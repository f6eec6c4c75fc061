import { resourceRule } from "../define";

/** Every EKS add-on names its version: an upgrade is a reviewed change, not a side effect of the next apply. */
export const eksAddonVersionPinned = resourceRule({
  id: "eks-addon-version-pinned",
  types: ["aws_eks_addon"],
  fix: "Set `addonVersion` (config `eks.addons`) to a version `aws eks describe-addon-versions` lists for the cluster's Kubernetes version.",
  check(addon, stack) {
    const version = stack.string(addon.body, "addon_version");
    if (!version.ok) return [`${version.problem}: EKS installs its default and may change it`];
    return /^v\d+\.\d+\.\d+-eksbuild\.\d+$/.test(version.value)
      ? []
      : [
          `\`addon_version\` is "${version.value}", not an exact add-on version like v1.19.0-eksbuild.1`,
        ];
  },
});
