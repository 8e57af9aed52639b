// Finds Java 17+ and fetches the Kafka broker's jars from Maven Central once, into <repo>/.cache/kafka/<version>/libs.
import { execFile, spawn } from 'node:child_process';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

/** The Kafka release this package runs; kafka/pom.xml's default and the apache/kafka image tag say the same. */
export const kafkaVersion = '4.4.0';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const pomFile = fileURLToPath(new URL('../kafka/pom.xml', import.meta.url));

const run = promisify(execFile);

const installHint =
  'Install Java 17+ (e.g. `apt-get install openjdk-17-jre-headless`) and Maven 3.8+ (`apt-get install maven`), ' +
  'or start a Docker engine (Testcontainers), or point KAFKA_BROKERS at a running Kafka.';

export function javaCommand(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** The major version of the Java on PATH (or JAVA_HOME); throws saying what to install when there is none or it is too old. */
export async function checkJava(): Promise<number> {
  let output: string;
  try {
    const { stdout, stderr } = await run(javaCommand(), ['-version']);
    output = `${stderr}${stdout}`;
  } catch {
    throw new Error(`Kafka needs Java, and \`${javaCommand()}\` could not be run. ${installHint}`);
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : 0;
  if (major < 17) throw new Error(`Kafka ${kafkaVersion} needs Java 17 or newer, found: ${output.split('\n')[0]}. ${installHint}`);
  return major;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/**
 * The folder of jars for `java -cp 'libs/*'`. Fetched with `mvn dependency:copy-dependencies` into a scratch folder
 * and renamed into place when complete, so an interrupted download is never mistaken for a finished one.
 */
export async function ensureKafkaJars(version: string = kafkaVersion, say: (line: string) => void = console.log): Promise<string> {
  const home = join(repoRoot, '.cache', 'kafka', version);
  const libs = join(home, 'libs');
  const marker = join(libs, '.complete');
  if (await exists(marker)) return libs;

  try {
    await run('mvn', ['-v']);
  } catch {
    throw new Error(`Kafka ${version}'s jars are not in ${relative(repoRoot, libs)} and \`mvn\` could not be run to fetch them. ${installHint}`);
  }
  const scratch = join(home, `libs.partial-${process.pid}`);
  await rm(scratch, { recursive: true, force: true });
  await mkdir(home, { recursive: true });
  say(`[local-stack] fetching Apache Kafka ${version} jars from Maven Central with mvn into ${relative(repoRoot, libs)} (once; later runs reuse them)`);
  const started = performance.now();
  const args = [
    '-q', '-B', '-f', pomFile, 'dependency:copy-dependencies',
    `-Dkafka.version=${version}`, '-DincludeScope=runtime', `-DoutputDirectory=${scratch}`,
  ];
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('error', reject);
    child.once('exit', resolve);
  });
  const jars = (await readdir(scratch).catch(() => [] as string[])).filter((f) => f.endsWith('.jar'));
  if (code !== 0 || !jars.some((f) => f.startsWith(`kafka_2.13-${version}`))) {
    await rm(scratch, { recursive: true, force: true });
    throw new Error(`mvn could not fetch Kafka ${version} (exit ${code}): is Maven Central reachable?\n${output.join('').slice(-3000)}`);
  }
  await writeFile(join(scratch, '.complete'), `${new Date().toISOString()}\n`);
  await rm(libs, { recursive: true, force: true });
  await rename(scratch, libs).catch(async (error: unknown) => {
    // Another process finished the same download first; theirs is as good as ours.
    await rm(scratch, { recursive: true, force: true });
    if (!(await exists(marker))) throw error;
  });
  say(`[local-stack] fetched ${jars.length} jars in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return libs;
}
