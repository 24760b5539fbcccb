/** Mesos 1.11's role name rules (`roles::validate`), with its texts. */
export function roleNameError(role: string): string | undefined {
  if (role === '*') return undefined;
  if (role === '') return 'Role names cannot be the empty string';
  if (role.startsWith('/')) return `Role '${role}' cannot start with a slash`;
  if (role.endsWith('/')) return `Role '${role}' cannot end with a slash`;
  for (const component of role.split('/')) {
    if (component === '.' || component === '..' || component === '*') return `Role '${role}' cannot include '${component}' as a component`;
    if (component.startsWith('-')) return `Role component '${component}' is invalid because it starts with a dash`;
    if (/[\x08\x09\x0a\x0b\x0c\x0d\x20]/.test(component)) return `Role component '${component}' is invalid because it contains backspace or whitespace`;
  }
  return undefined;
}

/** The ERROR text a SUBSCRIBE gets for the roles of its FrameworkInfo, as the master words it. */
export function frameworkRolesError(multiRole: boolean, roles: string[]): string | undefined {
  if (!multiRole) {
    const problem = roleNameError(roles[0] ?? '*');
    return problem && `'FrameworkInfo.role' is not a valid role: ${problem}`;
  }
  const duplicates = [...new Set(roles.filter((r, i) => roles.indexOf(r) !== i))];
  if (duplicates.length) return `'FrameworkInfo.roles' contains duplicate items: { ${duplicates.join(', ')} }`;
  for (const role of roles) {
    const problem = roleNameError(role);
    if (problem) return `'FrameworkInfo.roles' contains invalid role: ${problem}`;
  }
  return undefined;
}
