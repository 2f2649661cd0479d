import { podRule, type PodFinding } from '../workload/pod-rule.ts';
import { containerName, containersOf, listOf } from '../workload/pod-sites.ts';

/** Namespaced sysctls Pod Security "baseline" (and so "restricted") admits. */
export const SAFE_SYSCTLS: readonly string[] = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ping_group_range',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_syncookies',
];

export const SAFE_SELINUX_TYPES: readonly string[] = ['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'];

export const safeKernelOptions = podRule(
  {
    id: 'safe-kernel-options',
    description: 'No unsafe sysctls, Unmasked /proc, custom SELinux user/role/type, Unconfined AppArmor or Windows host processes (the rest of Pod Security "restricted").',
  },
  function* (site) {
    const findings: PodFinding[] = [];
    const pod = site.spec.securityContext;
    for (const [index, sysctl] of listOf(pod?.sysctls).entries()) {
      if (!SAFE_SYSCTLS.includes(sysctl.name)) {
        findings.push({ path: `${site.specPath}.securityContext.sysctls[${index}]`, message: `sysctl ${sysctl.name} is not namespaced-safe; remove it (safe ones: ${SAFE_SYSCTLS.join(', ')})` });
      }
    }
    const contexts = [
      { at: `${site.specPath}.securityContext`, who: 'the pod', context: pod },
      ...containersOf(site).map((c) => ({ at: `${c.path}.securityContext`, who: containerName(c), context: c.container.securityContext })),
    ];
    for (const { at, who, context } of contexts) {
      if (!context) continue;
      if ('procMount' in context && context.procMount === 'Unmasked') {
        findings.push({ path: `${at}.procMount`, message: `${who} unmasks /proc; remove procMount: Unmasked` });
      }
      const selinux = context.seLinuxOptions;
      if (selinux && (selinux.user || selinux.role || (selinux.type && !SAFE_SELINUX_TYPES.includes(selinux.type)))) {
        findings.push({ path: `${at}.seLinuxOptions`, message: `${who} sets a custom SELinux user, role or type; remove them (allowed types: ${SAFE_SELINUX_TYPES.join(', ')})` });
      }
      if (context.appArmorProfile?.type === 'Unconfined') {
        findings.push({ path: `${at}.appArmorProfile`, message: `${who} runs without AppArmor; use type RuntimeDefault or Localhost` });
      }
      if (context.windowsOptions?.hostProcess === true) {
        findings.push({ path: `${at}.windowsOptions.hostProcess`, message: `${who} is a Windows host process; remove hostProcess: true` });
      }
    }
    yield* findings;
  },
);
