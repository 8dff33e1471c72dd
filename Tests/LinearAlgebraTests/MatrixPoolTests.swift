import Testing
@testable import LinearAlgebra

@Suite struct MatrixPoolTests {
    @Test func recyclesByShapeAndKeepsAtMostItsCapacity() {
        let pool = MatrixPool(capacity: 100)
        let first = pool.take(rows: 4, columns: 5)
        #expect(first.values == [Float](repeating: 0, count: 20))
        first.fill(7)
        pool.recycle([first])
        // Another shape is new; the same shape is the recycled matrix, contents and all.
        #expect(pool.take(rows: 5, columns: 4) !== first)
        let again = pool.take(rows: 4, columns: 5)
        #expect(again === first && again[3, 4] == 7)
        #expect(pool.take(rows: 4, columns: 5) !== first, "a taken matrix is not handed out twice")
        // 60 + 60 floats are more than 100: the older one goes.
        let older = Matrix(rows: 6, columns: 10), newer = Matrix(rows: 6, columns: 10)
        pool.recycle([older])
        pool.recycle([newer])
        #expect(pool.heldCount == 60)
        #expect(pool.take(rows: 6, columns: 10) === newer)
        #expect(pool.heldCount == 0)
    }
}
