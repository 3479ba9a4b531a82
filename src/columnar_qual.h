/*-------------------------------------------------------------------------
 *
 * columnar_qual.h
 *	  Quals evaluated on column vectors: which quals can be (at plan time),
 *	  their compiled programs (at executor start), evaluation on windows of
 *	  a batch, and refutation of whole row groups by their zone maps.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COLUMNAR_QUAL_H
#define COLUMNAR_QUAL_H

#include "nodes/execnodes.h"
#include "nodes/pg_list.h"

#include "columnar_catalog.h"
#include "columnar_vector.h"

typedef struct ColumnarQualProgram ColumnarQualProgram;

extern bool ColumnarQualIsVectorizable(Expr *clause);
extern ColumnarQualProgram *ColumnarQualCompile(List *clauses, TupleDesc desc,
												EState *estate);
extern Bitmapset *ColumnarQualColumns(const ColumnarQualProgram *prog);
extern int	ColumnarQualAccept(const ColumnarQualProgram *prog, int col);
extern uint32 ColumnarQualEval(ColumnarQualProgram *prog, ColumnarWindow *win,
							   uint32 *sel, uint32 nsel);
extern bool ColumnarQualRefute(const ColumnarQualProgram *prog,
							   const ColumnarRowGroupMeta *meta);

#endif							/* COLUMNAR_QUAL_H */
