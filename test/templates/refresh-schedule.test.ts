/**
 * When templates are downloaded again: the schedule's arithmetic with an injected clock, and
 * the interval as the settings give it (seconds beat days, days below 1, the default, the
 * client-mode and server-mode keys).
 */
import { loadClientSettings } from '../../lib/settings';
import { markFailed, markRefreshed, refreshDue } from '../../lib/templates';
import { settingsFolders, SettingsFolders, V5 } from '../settings/temp-folders';

const DAY = 86400;
const HKCU_MSIPC = '[HKEY_CURRENT_USER\\Software\\Classes\\Local Settings\\Software\\Microsoft\\MSIPC]';
const serverKey = (account: string) => `[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSIPC\\Server\\${account}]`;

describe('the refresh schedule', () => {
  const t0 = 1_800_000_000;

  it('is due at once with no marker (never downloaded, or the marker deleted)', () => {
    expect(refreshDue(null, t0, DAY)).toBe(true);
  });

  it('is due once the interval has passed since the last download, not before', () => {
    const marker = markRefreshed(t0);
    expect(refreshDue(marker, t0, DAY)).toBe(false);
    expect(refreshDue(marker, t0 + DAY - 1, DAY)).toBe(false);
    expect(refreshDue(marker, t0 + DAY, DAY)).toBe(true);
    expect(refreshDue(marker, t0 + 30, 30)).toBe(true);
  });

  it('is due when the clock was set back before the last download: the age cannot be trusted', () => {
    expect(refreshDue(markRefreshed(t0), t0 - 10, DAY)).toBe(true);
  });

  it('after a failure, waits 1, 2, 4... minutes, never longer than the interval or 6 hours, keeping the last success', () => {
    let marker = markRefreshed(t0);
    const delays: number[] = [];
    let now = t0 + DAY;
    for (let i = 0; i < 12; i++) {
      marker = markFailed(marker, now, DAY);
      expect(marker.refreshedAt).toBe(t0);
      expect(refreshDue(marker, marker.retryAt! - 1, DAY)).toBe(false);
      expect(refreshDue(marker, marker.retryAt!, DAY)).toBe(true);
      delays.push(marker.retryAt! - now);
      now = marker.retryAt!;
    }
    expect(delays).toEqual([60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 21600, 21600, 21600]);
    expect(markFailed(markRefreshed(t0), t0 + 100, 90).retryAt).toBe(t0 + 160);
    expect(markFailed(markFailed(markRefreshed(t0), t0 + 100, 90), t0 + 200, 90).retryAt).toBe(t0 + 290);
  });

  it('a failure without any earlier download is due again when its delay ends', () => {
    const marker = markFailed(null, t0, DAY);
    expect(refreshDue(marker, t0 + 59, DAY)).toBe(false);
    expect(refreshDue(marker, t0 + 60, DAY)).toBe(true);
  });

  it('a success clears the failures', () => {
    const marker = markRefreshed(t0 + 500);
    expect(marker).toEqual({ refreshedAt: t0 + 500, failures: 0, retryAt: null });
  });
});

describe('the refresh interval from the settings', () => {
  let folders: SettingsFolders;
  beforeEach(() => {
    folders = settingsFolders();
  });
  afterEach(() => folders.remove());

  const client = () => loadClientSettings({ env: folders.env });
  const server = (account: string) => loadClientSettings({ env: folders.env, mode: 'server', account, storeRoot: folders.home });

  it('is one day when nothing is set', () => {
    expect(client().templateUpdateIntervalSeconds).toBe(DAY);
    expect(server('svc').templateUpdateIntervalSeconds).toBe(DAY);
  });

  it('is TemplateUpdateFrequency days, and TemplateUpdateFrequencyInSeconds wins over it', () => {
    folders.userFile('days.reg', V5, HKCU_MSIPC, '"TemplateUpdateFrequency"=dword:00000003');
    expect(client().templateUpdateIntervalSeconds).toBe(3 * DAY);
    folders.userFile('seconds.reg', V5, HKCU_MSIPC, '"TemplateUpdateFrequencyInSeconds"=dword:0000005a');
    expect(client().templateUpdateIntervalSeconds).toBe(90);
  });

  it('refuses days below 1 (0) with INVALID_SETTING naming the value, as documented, rather than downloading at every request', () => {
    folders.userFile('zero.reg', V5, HKCU_MSIPC, '"TemplateUpdateFrequency"=dword:00000000');
    expect(() => client().templateUpdateIntervalSeconds).toThrow(expect.objectContaining({ code: 'INVALID_SETTING', message: expect.stringMatching(/TemplateUpdateFrequency: must be at least 1 day/) }));
  });

  it('reads client mode from the user key and server mode from the service account key, each ignoring the other', () => {
    folders.userFile('user.reg', V5, HKCU_MSIPC, '"TemplateUpdateFrequencyInSeconds"=dword:00000078');
    folders.machineFile('server.reg', V5, serverKey('svc'), '"TemplateUpdateFrequencyInSeconds"=dword:0000012c');
    expect(client().templateUpdateIntervalSeconds).toBe(120);
    expect(server('svc').templateUpdateIntervalSeconds).toBe(300);
    expect(server('other').templateUpdateIntervalSeconds).toBe(DAY);
  });
});
