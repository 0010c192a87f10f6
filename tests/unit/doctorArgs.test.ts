import { parseDoctorArgs } from '../../src/tools/cli';

describe('conference doctor', () => {
  it('reads the contexts, the way to the CLI and the settings file', () => {
    expect(
      parseDoctorArgs([
        'doctor',
        '--internal',
        'from-internal',
        '--internal',
        'phones2',
        '--external',
        'from-trunk',
        '--asterisk-cli',
        'docker exec pbx asterisk -rx',
        '--config',
        '/etc/conference/conference.json',
      ]),
    ).toEqual({
      ok: true,
      options: { internal: ['from-internal', 'phones2'], external: ['from-trunk'], asteriskCli: 'docker exec pbx asterisk -rx' },
      config: '/etc/conference/conference.json',
    });
    expect(parseDoctorArgs(['doctor', '--external', 'from-trunk'])).toEqual({
      ok: true,
      options: { internal: [], external: ['from-trunk'], asteriskCli: 'asterisk -rx' },
      config: undefined,
    });
  });

  it.each([
    [['doctor'], /name the contexts where your calls arrive/],
    [['doctor', '--internal'], /--internal needs a value/],
    [['doctor', '--internal', 'a b'], /--internal: a context name is letters/],
    [['doctor', '--context', 'from-internal'], /bad option --context/],
  ])('refuses %j with a message that names the cause', (args, message) => {
    const parsed = parseDoctorArgs(args);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });
});
