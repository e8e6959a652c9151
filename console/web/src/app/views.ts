// Saved views of the inbox: a name and the filters, as URL search parameters.

export interface SavedView {
  id: string;
  name: string;
  query: string;
  builtIn?: boolean;
}

const KEY = 'vigil.views';

/** Monday 00:00 of this week in the browser's zone (UK schools run their browsers on UK time). */
export function startOfWeek(now: Date = new Date()): string {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  const back = (d.getDay() + 6) % 7;
  d.setDate(d.getDate() - back);
  return d.toISOString();
}

export function builtInViews(now: Date = new Date()): SavedView[] {
  return [
    { id: 'all', name: 'All captures', query: '', builtIn: true },
    { id: 'urgent', name: 'Unreviewed severity 4–5', query: 'status=new&severityMin=4', builtIn: true },
    { id: 'week', name: 'This week', query: `from=${encodeURIComponent(startOfWeek(now))}`, builtIn: true },
    { id: 'fp', name: 'False positives', query: 'status=false_positive', builtIn: true },
  ];
}

export function loadViews(): SavedView[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(parsed)
      ? parsed.filter(
          (v): v is SavedView =>
            typeof v?.id === 'string' && typeof v?.name === 'string' && typeof v?.query === 'string',
        )
      : [];
  } catch {
    return [];
  }
}

export function saveViews(views: SavedView[]): void {
  localStorage.setItem(KEY, JSON.stringify(views));
}

/** The filters a query string sets, without paging and ordering noise, for comparing views. */
export function canonical(query: string): string {
  const params = new URLSearchParams(query);
  params.delete('cursor');
  const entries = [...params.entries()].filter(([, v]) => v !== '').sort(([a], [b]) => a.localeCompare(b));
  return new URLSearchParams(entries).toString();
}
