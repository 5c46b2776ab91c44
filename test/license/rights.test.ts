import { expandRights, hasRight, normalizeRight, ROLE_RIGHTS } from '../../lib/license/rights';

const fails = (code: string) => expect.objectContaining({ code });

describe('rights and roles', () => {
  it('expands roles, each one a superset of the one before', () => {
    expect(expandRights(['VIEWER'])).toEqual(['REPLY', 'REPLYALL', 'VIEW', 'VIEWRIGHTSDATA']);
    const [viewer, reviewer, author] = (['VIEWER', 'REVIEWER', 'AUTHOR'] as const).map((r) => expandRights([r]));
    expect(reviewer).toEqual(expect.arrayContaining(viewer!));
    expect(author).toEqual(expect.arrayContaining(reviewer!));
    expect(author).toEqual(expect.arrayContaining(['EDIT', 'EXTRACT', 'PRINT']));
    expect(author).not.toContain('EXPORT');
    expect(expandRights(['coowner'])).toEqual(['OWNER']);
    expect(ROLE_RIGHTS.VIEWER).not.toContain('EDIT');
  });

  it('matches common rights without regard to case and keeps application rights as written', () => {
    expect(normalizeRight('view')).toBe('VIEW');
    expect(normalizeRight('com.example.Annotate')).toBe('com.example.Annotate');
    expect(expandRights(['edit', 'VIEW', 'Edit', 'x-Custom'])).toEqual(['EDIT', 'VIEW', 'x-Custom']);
  });

  it('lets OWNER stand for every right', () => {
    expect(hasRight(['OWNER'], 'PRINT')).toBe(true);
    expect(hasRight(['OWNER'], 'com.example.Annotate')).toBe(true);
    expect(hasRight(['VIEW'], 'EDIT')).toBe(false);
    expect(hasRight(['VIEW'], 'view')).toBe(true);
  });

  it.each(['', 'a b', 'x'.repeat(257), 'naïve', 'a/b', 42])('refuses %p as a right', (right) => {
    expect(() => normalizeRight(right)).toThrow(fails('INVALID_ARGUMENT'));
  });
});
