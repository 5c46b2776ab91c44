/** Classification rules: which template or grants a file gets, by path, size and content (docs/bulk.md "Rules"). */
export { loadRules, parseRules, ParseRulesOptions, DEFAULT_CONTENT_WINDOW, MAX_CONTENT_WINDOW, MAX_RULES_FILE_BYTES } from './rules-file';
export { Rules, Rule, RuleSubject, RuleAction, TemplateAction, GrantsAction, SkipAction, Decision } from './rules';
export { InvalidRulesError } from './invalid-rules-error';
export { describeDecision } from './describe-decision';
export { readFileHead } from './file-head';
export { CONTENT_DETECTORS } from './content-detectors';
