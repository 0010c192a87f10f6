import { DEFAULT_KEY_MAP } from '../../src/domain/conferenceKeys';
import { helpAnnouncement } from '../../src/app/media';

describe('the in-conference help', () => {
  it('tells each action with its key as configured', () => {
    expect(helpAnnouncement(DEFAULT_KEY_MAP)).toEqual([
      'sound:conference/help-mute',
      'digits:1',
      'sound:conference/help-count',
      'digits:2',
      'sound:conference/help-number',
      'digits:3',
      'sound:conference/help-leave',
      'sound:digits/pound',
      'sound:conference/help-again',
      'sound:digits/star',
    ]);
  });

  it('follows a remapped key map, letters included', () => {
    const help = helpAnnouncement({ toggleMute: 'A', participantCount: '0', roomNumber: '9', help: '#', leave: '*' });
    expect(help.filter((_, i) => i % 2 === 1)).toEqual([
      'sound:letters/a',
      'digits:0',
      'digits:9',
      'sound:digits/star',
      'sound:digits/pound',
    ]);
  });
});

describe('the help of a room with leaders', () => {
  it('tells a participant how to raise a hand, and a leader every leader key, the help key last', () => {
    const participant = helpAnnouncement(DEFAULT_KEY_MAP, { role: 'participant', ledRoom: true });
    expect(participant).toContain('sound:conference/help-hand');
    expect(participant).not.toContain('sound:conference/help-end');
    const leader = helpAnnouncement(DEFAULT_KEY_MAP, { role: 'leader', ledRoom: true });
    expect(leader.filter((_, i) => i % 2 === 0)).toEqual([
      'sound:conference/help-mute',
      'sound:conference/help-count',
      'sound:conference/help-number',
      'sound:conference/help-lock',
      'sound:conference/help-lecture',
      'sound:conference/help-next-hand',
      'sound:conference/help-remove',
      'sound:conference/help-end',
      'sound:conference/help-record',
      'sound:conference/help-dial-out',
      'sound:conference/help-leave',
      'sound:conference/help-again',
    ]);
  });
});
