// Chinese names of score sheet states (the API's AssignmentState), shared with the office area.
export const assignmentStateLabel: Record<string, string> = {
  ASSIGNMENT_STATE_ASSIGNED: '评分中',
  ASSIGNMENT_STATE_FINALIZED: '已提交',
  ASSIGNMENT_STATE_WITHDRAWN: '已撤回',
};
