// duckdb_bench.js — the DuckDB side of bi_bench.sh
//
//   node duckdb_bench.js version
//   node duckdb_bench.js load DBFILE CSVFILE COLUMNS MASTER_SELECT
//   node duckdb_bench.js serve DBFILE
//
// BIWH_DUCKDB_MODULES names the directory whose node_modules holds
// @duckdb/node-api (the bench installs it there, outside the repository).
// Every connection runs with SET threads = 2, like PostgreSQL's two
// parallel workers.
//
// load: creates table foodlogstats from the CSV file with explicit column
// types (COLUMNS: JSON [[name, duckdb_type], ...], the PostgreSQL table's
// columns), checkpoints, then creates fls_master AS MASTER_SELECT; prints
// one JSON line {"rows", "bytes_foodlogstats", "bytes_total"} (file sizes
// after each checkpoint).
//
// serve: one connection for the whole run.  Reads JSON lines {"sql",
// "result"} from stdin, runs the SQL once and answers one JSON line
// {"ms"} or {"error"}; with "result" (a file name) it writes the rows there
// as tab-separated text, NULL as \N.  The time is client-side wall time
// around runAndReadAll: execution and reading every result chunk into the
// client, as psql's \timing measures it (writing the file is not timed).

'use strict';
const fs = require('fs');
const readline = require('readline');
const { performance } = require('perf_hooks');

const modulesDir = process.env.BIWH_DUCKDB_MODULES || process.cwd();
const { DuckDBInstance } = require(require.resolve('@duckdb/node-api', { paths: [modulesDir] }));
const apiVersion = require(require.resolve('@duckdb/node-api/package.json', { paths: [modulesDir] })).version;

// Open DBFILE and return a connection with the bench's settings.
async function open(dbfile)
{
	const instance = await DuckDBInstance.create(dbfile);
	const conn = await instance.connect();
	await conn.run('SET threads = 2');
	// the machine is shared: stay well below DuckDB's default of 80% of RAM
	await conn.run("SET memory_limit = '4GB'");
	return conn;
}

// Return one result value as text, in the form bi_bench.py normalizes.
function cell(v)
{
	if (v === null || v === undefined)
		return '\\N';
	return String(v);
}

async function load(dbfile, csvfile, columnsJson, masterSelect)
{
	const columns = JSON.parse(columnsJson);
	const spec = columns.map(([name, type]) => `'${name}': '${type}'`).join(', ');
	const conn = await open(dbfile);
	await conn.run(`CREATE TABLE foodlogstats AS SELECT * FROM read_csv('${csvfile}',
		header = true, delim = ',', quote = '"', escape = '"',
		nullstr = '', allow_quoted_nulls = false, auto_detect = false,
		columns = {${spec}})`);
	await conn.run('CHECKPOINT');
	const bytesFls = fs.statSync(dbfile).size;
	await conn.run(`CREATE TABLE fls_master AS ${masterSelect}`);
	await conn.run('CHECKPOINT');
	const rows = (await conn.runAndReadAll('SELECT count(*) FROM foodlogstats')).getRowsJson()[0][0];
	console.log(JSON.stringify({ rows: Number(rows), bytes_foodlogstats: bytesFls,
								 bytes_total: fs.statSync(dbfile).size }));
}

async function serve(dbfile)
{
	const conn = await open(dbfile);
	const rl = readline.createInterface({ input: process.stdin, terminal: false });
	for await (const line of rl)
	{
		const req = JSON.parse(line);
		let answer;
		try
		{
			const t0 = performance.now();
			const reader = await conn.runAndReadAll(req.sql);
			answer = { ms: performance.now() - t0 };
			if (req.result)
				fs.writeFileSync(req.result, reader.getRowsJson()
								 .map((row) => row.map(cell).join('\t') + '\n').join(''));
		}
		catch (e)
		{
			answer = { error: String(e.message || e).split('\n')[0] };
		}
		process.stdout.write(JSON.stringify(answer) + '\n');
	}
}

async function main()
{
	const [cmd, ...args] = process.argv.slice(2);
	if (cmd === 'version')
	{
		const conn = await open(':memory:');
		const v = (await conn.runAndReadAll('SELECT version()')).getRowsJson()[0][0];
		console.log(`DuckDB ${v} (@duckdb/node-api ${apiVersion}), node ${process.version}`);
	}
	else if (cmd === 'load')
		await load(args[0], args[1], args[2], args[3]);
	else if (cmd === 'serve')
		await serve(args[0]);
	else
		throw new Error(`unknown command "${cmd}"`);
}

main().catch((e) => { console.error(`duckdb_bench.js: ${e.message || e}`); process.exit(1); });
