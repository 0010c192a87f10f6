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
