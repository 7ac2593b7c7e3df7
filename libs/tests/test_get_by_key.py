"""`kit.db.get`: a by-key load through a statement built once, answering as `session.get` does."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import ForeignKey, String, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from kit import db
from kit.db import make_read_sessionmaker, make_sessionmaker


class KeyedBase(DeclarativeBase):
    pass


class Shelf(KeyedBase):
    __tablename__ = "shelves"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(40))
    books: Mapped[list[Book]] = relationship(lazy="joined", order_by="Book.title")


class Book(KeyedBase):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    shelf_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shelves.id"))
    title: Mapped[str] = mapped_column(String(40))


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with engine.begin() as conn:
        await conn.run_sync(KeyedBase.metadata.create_all)
    sessions = make_sessionmaker(engine, service="kit_test", schema="kit_test")
    try:
        async with sessions() as session:
            yield session
    finally:
        async with engine.begin() as conn:
            await conn.run_sync(KeyedBase.metadata.drop_all)


async def add_shelf(session: AsyncSession, *titles: str) -> uuid.UUID:
    shelf_id = uuid.uuid4()
    session.add(Shelf(id=shelf_id, label="fiction", books=[Book(id=i, title=t) for i, t in enumerate(titles, 1)]))
    await session.commit()
    session.expunge_all()
    return shelf_id


async def test_get_loads_a_row_by_its_key_with_its_eagerly_joined_collection(session: AsyncSession) -> None:
    shelf_id = await add_shelf(session, "b", "a")
    shelf = await db.get(session, Shelf, shelf_id)
    assert shelf is not None and shelf.label == "fiction"
    assert [book.title for book in shelf.books] == ["a", "b"]


async def test_get_answers_none_for_a_key_no_row_has(session: AsyncSession) -> None:
    await add_shelf(session, "a")
    assert await db.get(session, Shelf, uuid.uuid4()) is None


async def test_get_answers_the_object_the_session_holds_with_its_unflushed_change(session: AsyncSession) -> None:
    shelf_id = await add_shelf(session, "a")
    held = await session.scalar(select(Shelf).where(Shelf.id == shelf_id))
    held.label = "changed, not flushed"  # type: ignore[union-attr]
    assert await db.get(session, Shelf, shelf_id) is held
    assert held.label == "changed, not flushed"  # type: ignore[union-attr]


async def test_get_sees_an_added_object_that_is_not_yet_flushed(session: AsyncSession) -> None:
    book_shelf = await add_shelf(session)
    session.add(Book(id=7, shelf_id=book_shelf, title="pending"))
    book = await db.get(session, Book, 7)
    assert book is not None and book.title == "pending"


async def test_get_on_a_read_session_reads_committed_rows(session: AsyncSession, engine: AsyncEngine) -> None:
    shelf_id = await add_shelf(session, "a")
    reads = make_read_sessionmaker(engine, service="kit_test", schema="kit_test")
    async with reads() as read:
        shelf = await db.get(read, Shelf, shelf_id)
        assert shelf is not None and [book.title for book in shelf.books] == ["a"]
        # No transaction was left open by the read: the autocommit connection ran the SELECT alone.
        assert await read.scalar(text("SELECT count(*) FROM books")) == 1
