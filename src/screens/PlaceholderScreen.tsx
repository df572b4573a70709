/** The place the IAM and EC2 screens take in the navigation, pointing at their commands. */
import { Box, Text } from 'ink';
import { fit } from './format.js';

const topics = {
  iam: [
    'IAM: the s3_upload policy and the DataProcessor role',
    '',
    'This screen is not built yet. The checks run from the shell:',
    '  tickops iam check        what is present, missing or drifted',
    '  tickops iam apply        create or fix it, after showing the plan',
  ],
  ec2: [
    'EC2: the machine that runs the daily container',
    '',
    'This screen is not built yet. The machine is managed from the shell:',
    '  tickops ec2 status       state, addresses, role, last upload',
    '  tickops ec2 launch       start one, after showing the plan',
  ],
} as const;

/** A short panel naming the commands that do the job today. */
export function PlaceholderScreen({
  topic,
  width,
  height,
}: {
  readonly topic: keyof typeof topics;
  readonly width: number;
  readonly height: number;
}) {
  return (
    <Box flexDirection="column" height={height}>
      {topics[topic].slice(0, height).map((line, index) => (
        <Text key={index} wrap="truncate-end" bold={index === 0}>
          {fit(line, width)}
        </Text>
      ))}
    </Box>
  );
}
