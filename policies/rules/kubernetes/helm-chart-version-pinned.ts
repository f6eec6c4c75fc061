import { resourceRule } from "../define";

const EXACT = /^v?\d+\.\d+\.\d+(-[\w.]+)?(\+[\w.]+)?$/;

/**
 * Every Helm release from a repository names an exact chart version: a range or no version
 * installs whatever is newest at apply time. A chart from a local path (a cdktf asset) or a
 * `.tgz` URL is pinned by its content or location.
 */
export const helmChartVersionPinned = resourceRule({
  id: "helm-chart-version-pinned",
  types: ["helm_release"],
  fix: 'Set `repository` and `version` to the exact chart version (e.g. "1.13.4").',
  check(release, stack) {
    const chart = stack.string(release.body, "chart");
    if (!chart.ok) return [chart.problem];
    const fromRepository =
      stack.attr(release.body, "repository").kind !== "missing" || chart.value.startsWith("oci://");
    if (!fromRepository) {
      if (/^(\.{0,2}\/|assets\/)/.test(chart.value)) return [];
      if (/^https?:\/\/.+\.tgz$/.test(chart.value)) return [];
      return [
        `\`chart\` is "${chart.value}" with no \`repository\`: it resolves through the local Helm configuration`,
      ];
    }
    const version = stack.string(release.body, "version");
    if (!version.ok) return [`${version.problem}: the newest chart is installed at apply time`];
    return EXACT.test(version.value)
      ? []
      : [`\`version\` is "${version.value}", not an exact version`];
  },
});
