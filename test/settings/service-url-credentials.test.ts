/**
 * A service URL setting with a user name or password in it (`https://svc:secret@rms...`) is
 * refused: openrms never sends URL credentials to a service (it reaches a service at its
 * origin), so they would only be shown, by `openrms config list`, `openrms discover` and
 * SERVICE_NOT_FOUND messages. The refusal names the setting and does not quote the text.
 */
import { InvalidSettingError, loadClientSettings } from '../../lib/settings';
import { settingsFolders, SettingsFolders } from './temp-folders';

let folders: SettingsFolders;
beforeEach(() => {
  folders = settingsFolders();
});
afterEach(() => folders.remove());

const SECRET = 'UrlSecret42';

describe('service URL settings with credentials in them', () => {
  it('refuses EnterpriseCertification, EnterprisePublishing and CloudService with userinfo, without quoting the password', () => {
    const settings = loadClientSettings({
      env: {
        ...folders.env,
        OPENRMS_ENTERPRISE_CERTIFICATION: `https://svc:${SECRET}@rms.contoso.com/_wmcs/certification`,
        OPENRMS_ENTERPRISE_PUBLISHING: `https://svc@rms.contoso.com/_wmcs/licensing`,
        OPENRMS_CLOUD_SERVICE: `https://svc:${SECRET}@cloud.contoso.com`,
      },
    });
    for (const ask of [() => settings.enterpriseCertificationUrl, () => settings.enterprisePublishingUrl, () => settings.cloudServiceUrl]) {
      expect(ask).toThrow(InvalidSettingError);
      expect(ask).toThrow(/user name or password/);
      expect(ask).not.toThrow(SECRET);
    }
  });

  it('keeps accepting a service URL without userinfo', () => {
    const settings = loadClientSettings({ env: { ...folders.env, OPENRMS_CLOUD_SERVICE: 'https://cloud.contoso.com' } });
    expect(settings.cloudServiceUrl).toBe('https://cloud.contoso.com');
  });
});
