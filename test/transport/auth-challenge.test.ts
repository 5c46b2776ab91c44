import { parseChallenge } from '../../lib/transport';

describe('parseChallenge', () => {
  it('reads the authority and resource of a Bearer challenge, quoted or not', () => {
    expect(parseChallenge('Bearer authorization_uri="https://login.contoso.com/common/oauth2", resource="https://rms.contoso.com"'))
      .toEqual({ authority: 'https://login.contoso.com/common/oauth2', resource: 'https://rms.contoso.com' });
    expect(parseChallenge('bearer Resource=https://rms, Authorization_URI=https://idp/oauth2, realm="x"'))
      .toEqual({ authority: 'https://idp/oauth2', resource: 'https://rms' });
  });

  it('is null for other schemes and for challenges missing a value', () => {
    expect(parseChallenge(undefined)).toBeNull();
    expect(parseChallenge('Basic realm="x"')).toBeNull();
    expect(parseChallenge('Bearer resource="https://rms"')).toBeNull();
    expect(parseChallenge('Bearerx authorization_uri="a", resource="b"')).toBeNull();
  });
});
