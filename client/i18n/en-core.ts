/**
 * English messages of the shell and the welcome path (welcome, home, forms,
 * errors): the part of the catalog the first load carries. The rest, for the
 * pages that load lazily, is in en-pages.ts; en.ts joins the two.
 */
import { NICKNAME_REFUSALS } from '../../shared/nickname-refusals.ts';

export const enCore = {
  appName: 'Haru Study',
  skipToContent: 'Skip to content',
  mainNav: 'Main',
  loading: 'Loading…',
  pageLoadFailed: 'This page could not be loaded. Check your connection and reload.',
  retry: 'Try again',
  backHome: 'Back to home',
  notFoundTitle: 'There is no page here',
  optional: '(optional)',

  updateReady: 'A new version of Haru Study is ready.',
  updateReloadSoon: 'We will reload when you pause typing; everything you typed is kept.',
  updateReloadWhenever: 'Reload when it suits you; everything you typed is kept.',
  updateReloadNow: 'Reload now',

  welcomeTitle: 'Welcome to Haru Study',
  welcomeLead: 'Plan, study, look back. One to eight cycles, alone or with friends.',
  identityExpired: 'We could not recognise you any more. Pick a nickname to carry on.',
  nickname: 'Nickname',
  nicknameHint: '1 to 10 characters. Others in a group study see it.',
  nicknameSubmit: 'Start',

  homeTitle: (nickname: string) => `Hi, ${nickname}`,
  homeLead: 'Start a study of your own, or join friends with their code.',
  createTitle: 'Start a study',
  modeLegend: 'Who studies',
  modeSolo: 'Just me',
  modeSoloHint: 'A quiet study on your own.',
  modeGroup: 'A group',
  modeGroupHint: 'You get a code to share with friends.',
  studyName: 'Study name',
  studyNameHint: '1 to 10 characters, e.g. "Math".',
  cycles: 'Cycles',
  cyclesOption: (n: number) => (n === 1 ? '1 cycle' : `${n} cycles`),
  minutesPerCycle: 'Study time per cycle',
  minutesOption: (n: number) => `${n} minutes`,
  createSubmit: 'Start the study',
  joinTitle: 'Join a group',
  joinLead: 'Ask the host for the 6-letter code.',
  joinCode: 'Code',
  joinCodeHint: 'Six letters, e.g. ABCDEF.',
  joinNickname: 'Your nickname in this study',
  joinSubmit: 'Join',

  myRecords: 'My records',

  fieldRequired: 'Please fill this in.',
  fieldTooLong: (max: number) => `Keep it to ${max} characters or fewer.`,
  fieldCodeFormat: 'A code is six letters, A to Z.',
  fieldInvalid: 'This value was not accepted; please check it.',
  /** A 429: calm, when to try again (the server's Retry-After), and that nothing typed is lost. */
  rateLimited: (seconds: number | null) =>
    `That was a lot of tries in a short time. Please try again ${seconds ? `in ${seconds} seconds` : 'in a moment'}; what you typed is still here.`,
  /** A 503 (the database busy for a moment): calm, when to try again, and that nothing typed or saved is lost. */
  unavailable: (seconds: number | null) =>
    `Saving is paused for a moment on our side. Please try again ${seconds ? `in ${seconds} seconds` : 'in a moment'}; what you typed is still here, and nothing saved is lost.`,
  /** A field's count as the learner types; past `max` it says by how much, since nothing is cut. */
  charCount: (count: number, max: number) =>
    count > max ? `${count} of ${max} characters: ${count - max} too many` : `${count} of ${max} characters`,
  /** The server's own sentences, so the page and a 400 say the same. */
  nicknameRefusals: NICKNAME_REFUSALS,

  apiErrors: {
    network: 'You seem to be offline. Check your connection and try again.',
    unexpected: 'Something went wrong. Please try again.',
    internal: 'Something went wrong on our side; nothing you sent was changed. Please try again.',
    token_secret_missing:
      'Haru Study cannot recognise learners right now; nothing you sent was changed. Please try again later.',
    unauthorized: 'We could not recognise you. Pick a nickname to carry on.',
    not_a_participant: 'You are not in this study. Join it with its code first.',
    replaced: 'This study is open in other tabs or windows, so this one paused. Press Try again to study here.',
    not_your_progress: 'That is someone else’s progress.',
    not_found: 'There is nothing here.',
    study_not_found: 'No study has this code, or it no longer exists. Check the code with your host.',
    progress_not_found: 'Your place in this study could not be found.',
    study_done: 'This study has already finished, so it cannot be joined.',
    wrong_step: 'This step is over, so it cannot be changed any more.',
    stale_step: 'This study moved on elsewhere; showing where you are now.',
    answer_required: 'Write your answers before moving on.',
    invalid_body: 'Some answers were not accepted; please check them.',
    invalid_json: 'Something went wrong. Please try again.',
    body_too_large: 'That is too much text to send at once.',
    client_outdated: 'A new version of Haru Study is ready.',
    client_too_new: 'A new version of Haru Study is ready.',
    study_started: 'This study has already started; only its participants can come back to it.',
    room_full: 'This group is full; ask the host to start another one.',
    not_host: 'Only the host can do that.',
    already_started: 'The study has already started.',
    not_all_submitted: 'Not everyone has submitted yet.',
    invalid_message: 'Something went wrong. Please try again.',
    too_large: 'That is too much text to send at once.',
  },
};

/** The shape of every language's core part. */
export type CoreCatalog = typeof enCore;
