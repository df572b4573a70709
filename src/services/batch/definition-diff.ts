/**
 * Does a registered definition (Batch job definition, ECS task definition) already say what we
 * want? Only the fields we set are compared: AWS fills in defaults of its own (empty volumes,
 * ulimits, secrets...) that are no difference at all. Registering a revision that changes
 * nothing would only bump the revision number, so plan and apply leave it alone.
 */

/** The paths under `desired` whose values `actual` lacks, e.g. `containerProperties.image`. */
export function differingFields(desired: unknown, actual: unknown, path = ''): string[] {
  if (Array.isArray(desired)) {
    if (!Array.isArray(actual) || actual.length !== desired.length) return [path];
    return desired.flatMap((item, index) =>
      differingFields(item, actual[index], `${path}[${index}]`),
    );
  }
  if (typeof desired === 'object' && desired !== null) {
    if (typeof actual !== 'object' || actual === null) return [path];
    const record = actual as Record<string, unknown>;
    return Object.entries(desired).flatMap(([key, value]) =>
      value === undefined ? [] : differingFields(value, record[key], path ? `${path}.${key}` : key),
    );
  }

  return desired === actual ? [] : [path];
}

/** Sort `{name, value}` pairs by name, as AWS may hand them back in any order. */
export function byName<T extends { readonly name?: string }>(items: readonly T[] = []): T[] {
  return [...items].sort((a, b) => ((a.name ?? '') < (b.name ?? '') ? -1 : 1));
}
